// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Starts ibackupmon-sim for a test and stops it on destruction.
///
///   SimProcess sim({.fleet = IBACKUPMON_SOURCE_DIR "/config/demo-fleet.toml"});
///   ASSERT_TRUE(sim.start()) << sim.error();
///   auto r = runProcess({"idevice_id", "-l"}, {.env = sim.env()});
///   sim.ctl({"detach", udid});

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/wait_for.h"

namespace ibackupmon::testkit {

using testing::Child;
using testing::ProcessOptions;
using testing::ProcessResult;
using testing::runProcess;
using testing::waitFor;

struct SimConfig {
  std::string fleet;  ///< --fleet FILE, or empty to use generate
  int generate = -1;  ///< --generate N
  uint64_t seed = 1;  ///< --seed S
  bool tcp = false;   ///< serve usbmuxd on 127.0.0.1:<free port> instead of a UNIX path
  std::vector<std::string> extraArgs;
};

class SimProcess {
 public:
  explicit SimProcess(SimConfig config);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  /// Spawns the simulator and waits (up to 20 s) for its ready file.
  bool start();
  /// SIGTERM, then SIGKILL after 5 s; idempotent.
  void stop();
  const std::string& error() const { return error_; }

  /// USBMUXD_SOCKET_ADDRESS value ("UNIX:/tmp/.../usbmuxd.sock" or "127.0.0.1:PORT").
  const std::string& address() const { return address_; }
  /// {"USBMUXD_SOCKET_ADDRESS": address()} for runProcess's options.env.
  std::map<std::string, std::string> env() const { return {{"USBMUXD_SOCKET_ADDRESS", address_}}; }
  /// Sets USBMUXD_SOCKET_ADDRESS in this process (for in-process libimobiledevice).
  void exportAddress() const;
  const std::string& dir() const { return dir_; }
  const std::string& controlPath() const { return control_; }
  const std::string& eventsPath() const { return events_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }

  /// `ibackupmon-sim ctl --control PATH args...`.
  ProcessResult ctl(const std::vector<std::string>& args) const;
  /// The event log so far (JSON lines).
  std::string events() const;
  /// Lines of the event log that name udid and contain every one of `what`.
  std::size_t countEvents(const std::string& udid, std::initializer_list<std::string> what) const;
  /// UDIDs from `ctl list` whose line contains `word` (a situation or fault name).
  std::vector<std::string> udidsWith(const std::string& word) const;

  /// Path of a built binary (build/bin/NAME).
  static std::string binary(const std::string& name);

 private:
  SimConfig config_;
  std::string dir_, control_, events_, ready_, address_, error_;
  std::unique_ptr<Child> child_;
};

}  // namespace ibackupmon::testkit

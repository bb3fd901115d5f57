// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A fresh ibackupmon-sim serving `--generate N --seed S` on a private UNIX socket, for one
/// measurement. Every method starts from a simulator nobody has talked to, so pairing a device
/// without a pair record (the generated `not_paired` one) costs each method the same.
/// The constructor points USBMUXD_SOCKET_ADDRESS of this process at it.

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace ibackupmon::bench {

class SimProcess {
 public:
  /// Throws std::runtime_error when the simulator does not become ready within 60 s.
  SimProcess(const std::string& binDir, int devices, int seed);
  /// SIGTERM, waits for the exit (SIGKILL after 30 s), removes the work directory.
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  /// CPU seconds (user + system) the simulator has used so far.
  double cpuSeconds() const;
  /// Unplugs every device with a fault (locked, trust pending/denied, no pair record, invalid
  /// HostID, prohibited domain): what is left opens a session without pairing. Returns how many.
  int detachFaulty();
  /// USB devices attached with no fault: they open a session at once.
  std::vector<std::string> readableUsb() const;
  /// `ibackupmon-sim ctl attach|detach UDID`; throws when it fails.
  void plug(const std::string& udid, bool attach) const;

 private:
  std::string binDir_;
  std::string dir_;
  std::unique_ptr<testing::Child> sim_;
};

/// What one method measured for one fleet.
struct LoopResult {
  double wallSeconds = 0;  ///< for the whole fleet (extrapolated when sampled)
  double cpuSeconds = 0;   ///< client CPU (this process, or the tools it spawned)
  double simCpuSeconds = 0;
  int devices = 0;     ///< USB devices in the fleet
  int measured = 0;    ///< devices actually measured (< devices: sampled, then extrapolated)
  int sessionsOk = 0;  ///< of the measured, devices whose lockdown session opened
  /// Summed over devices whose session did not open (trust pending/denied, locked...): time
  /// spent failing. Not wall time when devices are probed in parallel.
  double failedSeconds = 0;
};

/// CPU seconds of this process (self) or of its waited-for children.
double processCpuSeconds();
double childrenCpuSeconds();

}  // namespace ibackupmon::bench

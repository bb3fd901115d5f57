// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The ctl socket: one JSON array of strings per connection (a command and its arguments), one
/// JSON object back: {"ok": bool, "output": text, "error": text}.

#include <string>
#include <vector>

#include "core/error.h"
#include "sim_asio.h"
#include "simulator.h"
#include "usbmux_server.h"

namespace sim {

struct CommandResult {
  bool ok = true;
  std::string output;
  std::string error;
};

/// Runs one ctl command against the simulator (the commands are listed in docs/simulator.md).
CommandResult runCommand(Simulator& sim, UsbmuxServer& usbmux,
                         const std::vector<std::string>& args);

class ControlServer {
 public:
  ControlServer(Simulator& sim, UsbmuxServer& usbmux, std::string path);
  ~ControlServer();
  ibackupmon::Expected<void> open();

 private:
  Task<void> acceptLoop();
  Task<void> serve(Socket s);

  Simulator& sim_;
  UsbmuxServer& usbmux_;
  std::string path_;
  std::unique_ptr<asio::local::stream_protocol::acceptor> acceptor_;
};

}  // namespace sim

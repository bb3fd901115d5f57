// SPDX-License-Identifier: Apache-2.0
#include "ctl_client.h"

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/line_client.h"
#include "core/sanitize.h"
#include "device_values.h"

namespace sim {

int runCtl(int argc, char** argv) {
  std::string control;
  std::vector<std::string> command;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--control" && i + 1 < argc)
      control = argv[++i];
    else
      command.push_back(a);
  }
  if (control.empty() || command.empty()) {
    std::cerr << "usage: ibackupmon-sim ctl --control PATH COMMAND [ARGS]\n"
                 "commands: list | attach UDID | detach UDID | set UDID DOMAIN KEY VALUE |\n"
                 "  fault UDID NAME [ARG] | fault UDID clear [NAME] | trust UDID accept|deny |\n"
                 "  restart-usbmuxd SECONDS | events\n";
    return 2;
  }
  // The control protocol is JSON, which carries only UTF-8: a VALUE of raw bytes travels as
  // "string-hex:" (device_values.h); any other argument must be text.
  if (command[0] == "set" && command.size() == 5) command[4] = portableValueText(command[4]);
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (!ibackupmon::isValidUtf8(command[i])) {
      std::cerr << "ibackupmon-sim ctl: argument " << i + 1
                << " is not valid UTF-8 (only a set VALUE may be raw bytes)\n";
      return 2;
    }
  }
  // No timeout: it waits as long as the simulator keeps the connection open, as it always has.
  auto reply = ibackupmon::exchangeLine(control, nlohmann::json(command).dump(), std::nullopt);
  if (!reply && (reply.error().code == ibackupmon::line_error::kPathTooLong ||
                 reply.error().code == ibackupmon::line_error::kSocket ||
                 reply.error().code == ibackupmon::line_error::kConnect)) {
    std::cerr << "ibackupmon-sim ctl: cannot connect to " << control << ": "
              << reply.error().message << "\n";
    return 3;
  }
  auto j = reply ? nlohmann::json::parse(*reply, nullptr, false) : nlohmann::json();
  if (j.is_discarded() || !j.is_object()) {
    std::cerr << "ibackupmon-sim ctl: no valid reply from " << control << "\n";
    return 3;
  }
  std::cout << j.value("output", "");
  if (!j.value("ok", false)) {
    std::cerr << "ibackupmon-sim ctl: " << command[0] << ": " << j.value("error", "failed") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace sim

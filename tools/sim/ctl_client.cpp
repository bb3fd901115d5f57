// SPDX-License-Identifier: Apache-2.0
#include "ctl_client.h"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "cli/command_line.h"
#include "core/line_client.h"
#include "core/sanitize.h"
#include "device_values.h"

namespace sim {
namespace {

// The parser and what it fills; --help prints its help().
struct CtlCommandLine {
  std::optional<std::string> control;
  std::vector<std::string> command;
  bool help = false;
  ibackupmon::cli::CommandLine cl{
      "ibackupmon-sim ctl", "ibackupmon-sim ctl --control PATH COMMAND [ARGS]",
      "Sends one command to a running ibackupmon-sim and prints its output.\n\n"
      "Commands:\n"
      "  list                      the devices, attached or not, with their faults\n"
      "  attach UDID, detach UDID  plug or unplug a device\n"
      "  set UDID DOMAIN KEY VALUE change a lockdown value (DOMAIN - is the default domain)\n"
      "  fault UDID NAME [ARG]     inject a fault;  fault UDID clear [NAME]: clear it\n"
      "  trust UDID accept|deny    answer a pending Trust dialog\n"
      "  backup UDID KEY VALUE     change how a computer backup goes ([device.backup] keys);\n"
      "                            backup UDID reset: back to the defaults\n"
      "  restart-usbmuxd SECONDS   drop every client and stop listening for SECONDS\n"
      "  wedge-usbmuxd SECONDS     accept and read, but answer and push nothing for SECONDS\n"
      "  events                    print the event log"};

  CtlCommandLine() {
    cl.value("--control", control, "PATH", "the simulator's control socket (its --control)");
    cl.flag("-h,--help", help, "print this help");
    cl.positionals(command);
    cl.footer(
        "Exit codes: 0 done, 1 the simulator refused the command (reason on stderr),\n"
        "2 bad arguments, 3 the control socket cannot be reached.");
  }
};

}  // namespace

int runCtl(int argc, char** argv) {
  CtlCommandLine p;
  const std::string program = p.cl.program();
  if (auto ok = p.cl.parse({argv, argv + argc}); !ok) {
    return usageError(program, ok.error().message);
  }
  if (p.help) {
    std::cout << p.cl.help();
    return 0;
  }
  if (!p.control) return usageError(program, "--control: required");
  if (p.command.empty()) return usageError(program, "expected a COMMAND");
  const std::string& control = *p.control;
  std::vector<std::string>& command = p.command;
  // The control protocol is JSON, which carries only UTF-8: a VALUE of raw bytes travels as
  // "string-hex:" (device_values.h); any other argument must be text.
  if (command[0] == "set" && command.size() == 5) command[4] = portableValueText(command[4]);
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (!ibackupmon::isValidUtf8(command[i])) {
      return usageError(program, "argument " + std::to_string(i + 1) +
                                     " is not valid UTF-8 (only a set VALUE may be raw bytes)");
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

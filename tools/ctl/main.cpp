// SPDX-License-Identifier: Apache-2.0
// ibackupmonctl: reads the ibackupmond database (status, device, history, export; forget writes).
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "commands.h"

namespace {

struct CommandEntry {
  const char* name;
  int (*run)(const ibackupmon::ctl::Context&);
};

constexpr CommandEntry kCommands[] = {
    {"status", ibackupmon::ctl::runStatus},   {"device", ibackupmon::ctl::runDevice},
    {"history", ibackupmon::ctl::runHistory}, {"export", ibackupmon::ctl::runExport},
    {"forget", ibackupmon::ctl::runForget},   {"ack", ibackupmon::ctl::runAck},
    {"unack", ibackupmon::ctl::runUnack},     {"acks", ibackupmon::ctl::runAcks},
    {"act", ibackupmon::ctl::runAct},         {"remediation", ibackupmon::ctl::runRemediation},
    {"backups", ibackupmon::ctl::runBackups},
};

}  // namespace

int main(int argc, char** argv) {
  using namespace ibackupmon::ctl;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parseArgs(args);
  Context ctx{parsed ? *parsed : CliArgs{}, std::chrono::system_clock::now(), std::cout, std::cerr};
  if (!parsed) return fail(ctx, parsed.error());
  if (ctx.args.help) {
    std::cout << usageText();
    return 0;
  }
  if (ctx.args.version) {
    std::cout << ibackupmon::cli::versionLine("ibackupmonctl") << "\n";
    return 0;
  }
  if (ctx.args.command.empty()) {
    return fail(ctx, {"usage",
                      "no command given (status, device, history, export, forget, ack, unack, "
                      "acks, act, remediation, backups)"});
  }
  for (const auto& c : kCommands) {
    if (ctx.args.command == c.name) return c.run(ctx);
  }
  return fail(ctx, {"usage", ctx.args.command + ": unknown command"});
}

// SPDX-License-Identifier: Apache-2.0
#include "app/cli.h"

#include <array>

#include "cli/command_line.h"
#include "config/config.h"

namespace ibackupmon {

namespace {

struct ActionSpec {
  const char* names;
  CliAction action;
  const char* help;
};

constexpr std::array kActions = {
    ActionSpec{"--check-config", CliAction::CheckConfig,
               "validate the configuration; exit 0 if valid, 1 with the errors on stderr"},
    ActionSpec{"--print-config", CliAction::PrintConfig,
               "print the effective configuration (file + defaults) as TOML"},
    ActionSpec{"--send-test-alert", CliAction::SendTestAlert,
               "send one test email ([alerts.email]); exit 0, or 1 with the SMTP error"},
    ActionSpec{"--version", CliAction::Version, "print version and git revision"},
    ActionSpec{"-h,--help", CliAction::Help, "print this help"},
};

// The parser and the variables it fills; usageText() builds one only for its help().
struct DaemonCommandLine {
  std::optional<std::string> configPath;
  std::array<bool, kActions.size()> given{};
  std::array<const CLI::Option*, kActions.size()> flags{};
  cli::CommandLine cl{
      "ibackupmond",
      "ibackupmond [--config PATH] [--check-config | --print-config | --send-test-alert |\n"
      "            --version | --help]",
      "Watches iPhones and iPads attached over USB (through usbmuxd), records their backups and\n"
      "what blocks them, exports Prometheus metrics and emails admins. Without an action option\n"
      "it runs as a service until SIGTERM; SIGHUP reloads the configuration."};

  DaemonCommandLine() {
    cl.value("--config", configPath, "PATH",
             "configuration file (default: /etc/ibackupmon/ibackupmon.toml)");
    for (std::size_t i = 0; i < kActions.size(); ++i) {
      flags[i] = cl.flag(kActions[i].names, given[i], kActions[i].help);
    }
    cl.footer(std::string("Exit codes: 0 done, 1 invalid configuration or a fatal error, 2 bad "
                          "arguments.\nMetrics default to port ") +
              std::to_string(kDefaultMetricsPort) +
              ". Configuration reference: docs/configuration.md.");
  }
};

}  // namespace

Expected<CliOptions> parseCommandLine(const std::vector<std::string>& args) {
  DaemonCommandLine d;
  if (auto ok = d.cl.parse(args); !ok) return tl::unexpected(ok.error());
  CliOptions options;
  options.configPath = d.configPath;
  // One action at most; the same one twice is fine. Named in the order given.
  const CLI::Option* chosen = nullptr;
  for (const CLI::Option* option : d.cl.app().parse_order()) {
    for (std::size_t i = 0; i < kActions.size(); ++i) {
      if (option != d.flags[i]) continue;
      if (chosen != nullptr && chosen != option) {
        return makeError("usage",
                         chosen->get_name() + ": cannot be combined with " + option->get_name());
      }
      chosen = option;
      options.action = kActions[i].action;
    }
  }
  return options;
}

std::string usageText() {
  return DaemonCommandLine().cl.help();
}

}  // namespace ibackupmon

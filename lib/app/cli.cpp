// SPDX-License-Identifier: Apache-2.0
#include "app/cli.h"

#include <array>
#include <string_view>

#include "config/config.h"

namespace ibackupmon {

namespace {

struct OptionSpec {
  std::string_view name;
  const char* valueName;  ///< null for flags
  std::optional<CliAction> action;
  const char* help;
};

constexpr std::array kOptions = {
    OptionSpec{"--config", "PATH", std::nullopt,
               "configuration file (default: /etc/ibackupmon/ibackupmon.toml)"},
    OptionSpec{"--check-config", nullptr, CliAction::CheckConfig,
               "validate the configuration; exit 0 if valid, 1 with the errors on stderr"},
    OptionSpec{"--print-config", nullptr, CliAction::PrintConfig,
               "print the effective configuration (file + defaults) as TOML"},
    OptionSpec{"--send-test-alert", nullptr, CliAction::SendTestAlert,
               "send one test email ([alerts.email]); exit 0, or 1 with the SMTP error"},
    OptionSpec{"--version", nullptr, CliAction::Version, "print version and git revision"},
    OptionSpec{"--help", nullptr, CliAction::Help, "print this help"},
};

const OptionSpec* findOption(std::string_view name) {
  for (const auto& spec : kOptions) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

Expected<CliOptions> parseCommandLine(const std::vector<std::string>& args) {
  CliOptions options;
  std::optional<std::string_view> actionName;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string> inlineValue;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      inlineValue = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
    }
    if (arg == "-h") arg = "--help";
    const OptionSpec* spec = findOption(arg);
    if (spec == nullptr) {
      return makeError("usage", "unknown " +
                                    std::string(arg.starts_with("-") ? "option" : "argument") +
                                    " '" + args[i] + "'");
    }
    if (spec->valueName != nullptr) {
      if (!inlineValue) {
        if (i + 1 >= args.size()) {
          return makeError(
              "usage", "option " + std::string(arg) + " needs a value (" + spec->valueName + ")");
        }
        inlineValue = args[++i];
      }
      if (inlineValue->empty())
        return makeError("usage", "option " + std::string(arg) + " needs a non-empty value");
      options.configPath = *inlineValue;
      continue;
    }
    if (inlineValue) return makeError("usage", "option " + std::string(arg) + " takes no value");
    if (actionName && *actionName != arg) {
      return makeError("usage", "options " + std::string(*actionName) + " and " + std::string(arg) +
                                    " cannot be combined");
    }
    actionName = spec->name;
    options.action = *spec->action;
  }
  return options;
}

std::string usageText() {
  std::string text =
      "Usage: ibackupmond [--config PATH] [--check-config | --print-config | --send-test-alert |\n"
      "                   --version | "
      "--help]\n\n"
      "Watches iPhones and iPads attached over USB (through usbmuxd), records their backups and\n"
      "what blocks them, exports Prometheus metrics and emails admins. Without an action option\n"
      "it runs as a service until SIGTERM; SIGHUP reloads the configuration.\n\nOptions:\n";
  for (const auto& spec : kOptions) {
    std::string left = "  " + std::string(spec.name);
    if (spec.valueName != nullptr) left += std::string(" ") + spec.valueName;
    left.resize(std::max<std::size_t>(left.size() + 2, 22), ' ');
    text += left + spec.help + "\n";
  }
  text += std::string("\nMetrics default to port ") + std::to_string(kDefaultMetricsPort) +
          ". Configuration reference: docs/configuration.md.\n";
  return text;
}

}  // namespace ibackupmon

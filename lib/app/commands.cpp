// SPDX-License-Identifier: Apache-2.0
#include "app/commands.h"

#include <iostream>

#include "alert/test_alert.h"
#include "app/component_table.h"
#include "app/logging.h"
#include "app/service.h"
#include "config/config_loader.h"
#include "config/config_render.h"
#include "core/version.h"

namespace ibackupmon {

namespace {

struct ConfigChoice {
  std::string path;
  ConfigOrigin origin;
};

ConfigChoice chooseConfig(const CliOptions& options) {
  if (options.configPath) return {*options.configPath, ConfigOrigin::Explicit};
  return {kDefaultConfigPath, ConfigOrigin::Default};
}

// Loads for --check-config / --print-config: warnings and errors go to stderr, plain lines.
Expected<Config> loadForCommand(const ConfigChoice& choice) {
  std::vector<std::string> warnings;
  auto config = loadConfig(choice.path, choice.origin, &warnings);
  for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  if (!config) {
    for (const auto& line : errorLines(config.error())) std::cerr << line << "\n";
  }
  return config;
}

int checkConfig(const ConfigChoice& choice) {
  auto config = loadForCommand(choice);
  if (!config) return 1;
  std::cout << choice.path << ": configuration is valid\n";
  return 0;
}

int printConfig(const ConfigChoice& choice) {
  auto config = loadForCommand(choice);
  if (!config) return 1;
  std::cout << renderConfig(*config);
  return 0;
}

int sendTestEmail(const ConfigChoice& choice) {
  auto config = loadForCommand(choice);
  if (!config) return 1;
  SystemClock clock;
  if (auto sent = sendTestAlert(*config, clock); !sent) {
    std::cerr << "test alert not sent: " << sent.error().message << "\n";
    return 1;
  }
  std::cout << "test alert sent to";
  for (const auto& to : config->alerts.email.to) std::cout << " " << to;
  std::cout << " via " << config->alerts.email.smtpUrl << "\n";
  return 0;
}

int runDaemon(const ConfigChoice& choice) {
  setupLogging(runningUnderSystemd());
  SdNotifier notifier;
  return runService({choice.path, choice.origin}, componentTable(), notifier);
}

}  // namespace

std::string versionText() {
  return std::string("ibackupmond ") + IBACKUPMON_VERSION + " (revision " + buildRevision() + ")";
}

int runCommand(const CliOptions& options) {
  const ConfigChoice choice = chooseConfig(options);
  switch (options.action) {
    case CliAction::Help: std::cout << usageText(); return 0;
    case CliAction::Version: std::cout << versionText() << "\n"; return 0;
    case CliAction::CheckConfig: return checkConfig(choice);
    case CliAction::PrintConfig: return printConfig(choice);
    case CliAction::SendTestAlert: return sendTestEmail(choice);
    case CliAction::Run: return runDaemon(choice);
  }
  return 2;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// ibackupmond's command line. To add an option: one row in the table in cli.cpp, and (for a new
/// action) one case in runCommand() (commands.cpp).

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace ibackupmon {

enum class CliAction { Run, CheckConfig, PrintConfig, Version, Help, SendTestAlert };

struct CliOptions {
  CliAction action = CliAction::Run;
  std::optional<std::string> configPath;  ///< --config PATH; unset = the default path
};

/// Parses the arguments after argv[0]. Errors (unknown option, missing value, two actions) have
/// code "usage" and a one-line message; the caller prints it and exits 2.
Expected<CliOptions> parseCommandLine(const std::vector<std::string>& args);

/// The --help text.
std::string usageText();

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What ibackupmond does for each command-line action (run, --check-config, --print-config...).

#include "app/cli.h"

namespace ibackupmon {

/// Runs the chosen action and returns the process exit code.
int runCommand(const CliOptions& options);

/// "ibackupmond 0.1.0 (revision 3dae74b0a1c2)".
std::string versionText();

}  // namespace ibackupmon

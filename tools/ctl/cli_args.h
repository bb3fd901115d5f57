// SPDX-License-Identifier: Apache-2.0
#pragma once
/// ibackupmonctl's command line: options may stand before or after the command
/// (`ibackupmonctl --db X status --json` = `ibackupmonctl status --db X --json`).

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace ibackupmon::ctl {

struct CliArgs {
  std::string command;                  ///< empty with --help/--version alone
  std::vector<std::string> positional;  ///< arguments after the command (e.g. the UDID)
  std::optional<std::string> db;
  std::optional<std::string> config;
  std::optional<std::string> format;   ///< export --format csv|json
  std::optional<std::string> until;    ///< ack --until TIME|DURATION
  std::optional<std::string> comment;  ///< ack --comment TEXT
  std::optional<std::string> socket;   ///< ack/unack/acks --socket PATH
  bool dryRun = false;                 ///< act --dry-run
  bool json = false;
  bool help = false;
  bool version = false;
};

/// Error code "usage" with a one-line message naming the offending argument.
Expected<CliArgs> parseArgs(const std::vector<std::string>& argv);

/// The --help text.
std::string usageText();

}  // namespace ibackupmon::ctl

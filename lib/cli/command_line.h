// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The command line of every ibackupmon program, on CLI11 (Debian's libcli11-dev): header-only,
/// packaged by Debian, and it parses `--opt VALUE` and `--opt=VALUE` alike, options before or
/// after positional arguments, and subcommands. This wrapper adds what the three programs share:
/// the help layout, one-line usage errors and the version line.
///
///   ibackupmon::cli::CommandLine cl("ibackupmonctl", "ibackupmonctl [OPTIONS] COMMAND", "...");
///   cl.value("--db", db, "PATH", "the database file");
///   cl.flag("--json", json, "machine-readable output");
///   if (auto ok = cl.parse(args); !ok) { std::cerr << cl.usageError(ok.error().message); ... }

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/error.h"

namespace ibackupmon::cli {

class CommandLine {
 public:
  /// program names the program in errors ("ibackupmonctl", "ibackupmon-sim ctl"); synopsis is
  /// the usage without "Usage: ", one line per form; description follows it in the help.
  CommandLine(std::string program, std::string synopsis, std::string description = {});

  CLI::App& app() { return app_; }

  // The options below write into the given variables during parse(): they must outlive it.

  /// An option without value (`--json`); `--json=x` is an error.
  CLI::Option* flag(const std::string& names, bool& target, const std::string& help);
  /// An option with one value: `--db PATH` or `--db=PATH` (the last one given wins). nonEmpty
  /// rejects `--db=` and `--db ""`.
  CLI::Option* value(const std::string& names, std::optional<std::string>& target,
                     const std::string& valueName, const std::string& help, bool nonEmpty = true);
  CLI::Option* value(const std::string& names, std::string& target, const std::string& valueName,
                     const std::string& help);
  /// The arguments that are not options, in order (after `--` everything is one).
  void positionals(std::vector<std::string>& target);
  /// Adds a section after the options ("Exit codes: ...").
  void footer(std::string text) { footer_ = std::move(text); }
  /// Heading of the options list (default "Options").
  void optionsHeading(std::string heading) { optionsHeading_ = std::move(heading); }

  /// Parses the arguments after the program name. Errors have code "usage" and a one-line
  /// message that starts with the offending argument: "--db: expected a value",
  /// "--bogus: unknown option", "extra: unexpected argument".
  Expected<void> parse(const std::vector<std::string>& args);

  /// The --help text: "Usage: " + synopsis, description, options, footer.
  std::string help() const;
  /// "PROGRAM: MESSAGE; try --help" and a newline: every usage error of every program.
  std::string usageError(const std::string& message) const;
  const std::string& program() const { return program_; }

 private:
  std::string program_;
  std::string synopsis_;
  std::string description_;
  std::string footer_;
  std::string optionsHeading_ = "Options";
  CLI::App app_;
};

/// "PROGRAM VERSION (revision REV)", the --version line of every program.
std::string versionLine(const std::string& program);

/// "PROGRAM: MESSAGE; try --help" and a newline, for usage errors found after parsing.
std::string usageError(const std::string& program, const std::string& message);

}  // namespace ibackupmon::cli

// SPDX-License-Identifier: Apache-2.0
#include "cli/command_line.h"

#include <algorithm>
#include <sstream>

#include "core/version.h"

namespace ibackupmon::cli {
namespace {

constexpr std::size_t kHelpColumn = 25;  // where option descriptions start in every --help

Expected<void> usage(std::string message) {
  return makeError("usage", std::move(message));
}

bool takesValue(const CLI::Option& option) {
  return option.get_items_expected_max() > 0;
}

std::string optionNames(const CLI::Option& option) {
  std::string names;
  for (const auto& s : option.get_snames()) names += (names.empty() ? "-" : ", -") + s;
  for (const auto& l : option.get_lnames()) names += (names.empty() ? "--" : ", --") + l;
  if (takesValue(option)) names += " " + option.get_type_name();
  return names;
}

// "  NAMES    description", continuation lines of the description under its first one.
void appendOption(std::string& out, const std::string& names, const std::string& description) {
  std::string left = "  " + names;
  if (left.size() + 1 > kHelpColumn) {
    out += left + "\n";
    left.clear();
  }
  left.resize(kHelpColumn, ' ');
  std::istringstream lines(description);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    out += (first ? left : std::string(kHelpColumn, ' ')) + line + "\n";
    first = false;
  }
  if (first) out += left + "\n";
}

}  // namespace

CommandLine::CommandLine(std::string program, std::string synopsis, std::string description)
    : program_(std::move(program)),
      synopsis_(std::move(synopsis)),
      description_(std::move(description)),
      app_("", program_) {
  app_.set_help_flag();  // -h/--help is an ordinary flag: the program decides what it means
  app_.allow_extras();   // unknown arguments are reported by parse(), in the common wording
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* CommandLine::flag(const std::string& names, bool& target, const std::string& help) {
  return app_.add_flag(names, target, help);
}

CLI::Option* CommandLine::value(const std::string& names, std::optional<std::string>& target,
                                const std::string& valueName, const std::string& help,
                                bool nonEmpty) {
  auto* option = app_.add_option_function<std::string>(
      names, [&target](const std::string& v) { target = v; }, help);
  option->type_name(valueName);
  if (nonEmpty) {
    option->check(CLI::Validator(
        [](std::string& v) { return v.empty() ? std::string("expected a non-empty value") : ""; },
        "", "non-empty"));
  }
  return option;
}

CLI::Option* CommandLine::value(const std::string& names, std::string& target,
                                const std::string& valueName, const std::string& help) {
  return app_.add_option(names, target, help)->type_name(valueName);
}

void CommandLine::positionals(std::vector<std::string>& target) {
  app_.add_option("arguments", target)->group("");  // hidden: the synopsis names them
}

Expected<void> CommandLine::parse(const std::vector<std::string>& args) {
  // CLI11 2.1 reads "--db=" as "--db" followed by the next argument, and a value given to a
  // flag as a boolean: both are spelled out here, before CLI11 sees the arguments.
  std::vector<std::string> normalized;
  normalized.reserve(args.size() + 1);
  bool optionsDone = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (optionsDone || !arg.starts_with("--")) {
      normalized.push_back(arg);
      continue;
    }
    optionsDone = arg == "--";
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const CLI::Option* option = optionsDone ? nullptr : app_.get_option_no_throw(name);
    if (option == nullptr) {
      normalized.push_back(arg);
    } else if (!takesValue(*option)) {
      if (eq != std::string::npos) return usage(name + ": expected no value");
      normalized.push_back(arg);
    } else if (eq == std::string::npos) {
      if (i + 1 >= args.size()) return usage(name + ": expected a value");
      normalized.push_back(arg);
      normalized.push_back(args[++i]);  // the value, even when it starts with '-'
    } else if (eq + 1 == arg.size()) {
      normalized.push_back(name);
      normalized.emplace_back();
    } else {
      normalized.push_back(arg);
    }
  }
  std::reverse(normalized.begin(), normalized.end());  // CLI11 takes them last first
  try {
    app_.parse(normalized);
  } catch (const CLI::ParseError& e) {
    return usage(e.what());  // a validator's "--opt: expected ..."
  }
  for (const std::string& rest : app_.remaining()) {
    if (rest == "--") continue;  // CLI11 keeps the end-of-options mark among the extras
    if (rest.size() > 1 && rest[0] == '-') {
      return usage(rest.substr(0, rest.find('=')) + ": unknown option");
    }
    return usage(rest + ": unexpected argument");
  }
  return {};
}

std::string CommandLine::help() const {
  std::string out;
  std::istringstream forms(synopsis_);
  std::string line;
  for (bool first = true; std::getline(forms, line); first = false) {
    out += (first ? "Usage: " : "       ") + line + "\n";
  }
  if (!description_.empty())
    out += "\n" + description_ + (description_.ends_with('\n') ? "" : "\n");
  out += "\n" + optionsHeading_ + ":\n";
  for (const CLI::Option* option : app_.get_options()) {
    if (option->get_group().empty() || option->get_name().empty()) continue;
    appendOption(out, optionNames(*option), option->get_description());
  }
  if (!footer_.empty()) out += "\n" + footer_ + (footer_.ends_with('\n') ? "" : "\n");
  return out;
}

std::string CommandLine::usageError(const std::string& message) const {
  return cli::usageError(program_, message);
}

std::string usageError(const std::string& program, const std::string& message) {
  return program + ": " + message + "; try --help\n";
}

std::string versionLine(const std::string& program) {
  return program + " " + IBACKUPMON_VERSION + " (revision " + buildRevision() + ")";
}

}  // namespace ibackupmon::cli

// SPDX-License-Identifier: Apache-2.0
#include "config/config_loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "config/config_reader.h"
#include "config/config_sections.h"

namespace ibackupmon {

namespace {

// Where a cross-field error points: the first of `keys` that the file sets, else the file start.
ConfigPosition firstPosition(const Diagnostics& diag, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (auto at = diag.positionOf(key)) return *at;
  }
  return {};
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

// Settings that only work together (user + password file) are both set or both unset.
void checkPair(Diagnostics& diag, bool first, bool second, const char* firstKey,
               const char* secondKey) {
  if (first == second) return;
  const char* missing = first ? secondKey : firstKey;
  const char* present = first ? firstKey : secondKey;
  diag.error(firstPosition(diag, {present}), missing,
             std::string("it to be set together with ") + present, "it unset");
}

// The same file, as far as the names tell: "/a/./b" is "/a/b", a relative storage.path is taken
// from the working directory (as SQLite opens it), and symbolic links on the way are followed
// where they exist (/var/run is /run on Debian).
bool samePath(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path absA = fs::absolute(a, ec).lexically_normal();
  const fs::path absB = fs::absolute(b, ec).lexically_normal();
  if (absA == absB) return true;
  std::error_code ecA;
  std::error_code ecB;
  const fs::path realA = fs::weakly_canonical(absA, ecA);
  const fs::path realB = fs::weakly_canonical(absB, ecB);
  return !ecA && !ecB && realA == realB;
}

// The control socket replaces a stale socket at its path at start-up: it must not be the
// database or one of SQLite's files beside it.
void checkControlSocketPath(const Config& config, Diagnostics& diag) {
  const std::string& socket = config.alerts.controlSocket;
  const std::string& db = config.storage.path;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    if (!samePath(socket, db + suffix)) continue;
    diag.error(firstPosition(diag, {"alerts.control_socket", "storage.path"}),
               "alerts.control_socket",
               "a path other than the database storage.path (\"" + db +
                   "\") and its -wal, -shm and -journal files",
               "\"" + socket + "\"");
    return;
  }
}

}  // namespace

void checkCrossFieldRules(const Config& config, Diagnostics& diag) {
  const auto& backup = config.backup;
  if (backup.criticalAfter <= backup.staleAfter) {
    diag.error(
        firstPosition(diag, {"backup.critical_after", "backup.stale_after"}),
        "backup.critical_after",
        "a duration longer than backup.stale_after (" + formatDuration(backup.staleAfter) + ")",
        "\"" + formatDuration(backup.criticalAfter) + "\"");
  }
  const auto& email = config.alerts.email;
  if (!email.smtpUrl.empty() && email.to.empty()) {
    diag.error(firstPosition(diag, {"alerts.email.to", "alerts.email.smtp_url"}), "alerts.email.to",
               "at least one recipient when alerts.email.smtp_url is set", "none");
  }
  checkPair(diag, email.username.has_value(), email.passwordFile.has_value(),
            "alerts.email.username", "alerts.email.password_file");
  const auto& metrics = config.metrics;
  checkPair(diag, metrics.basicAuthUser.has_value(), metrics.basicAuthPasswordFile.has_value(),
            "metrics.basic_auth_user", "metrics.basic_auth_password_file");
  checkControlSocketPath(config, diag);
}

Expected<Config> loadConfigFromString(std::string_view text, const std::string& pathForMessages) {
  toml::table root;
  try {
    root = toml::parse(text, pathForMessages);
  } catch (const toml::parse_error& e) {
    const ConfigPosition at = positionOf(e.source());
    std::string description(e.description());
    for (char& c : description) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return makeError("config_syntax", pathForMessages + ":" + std::to_string(at.line) + ":" +
                                          std::to_string(at.column) + ": syntax: " + description);
  }
  Config config;
  config.sourcePath = pathForMessages;
  Diagnostics diag(pathForMessages);
  readConfigSections(root, config, diag);
  // Cross-field rules only make sense on values that each passed their own check.
  if (!diag.hasErrors()) checkCrossFieldRules(config, diag);
  if (diag.hasErrors()) return makeError("config_invalid", joinLines(diag.sortedLines()));
  return config;
}

Expected<Config> loadConfig(const std::string& path, ConfigOrigin origin,
                            std::vector<std::string>* warnings) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return makeError("config_unreadable", path + ": is a directory, expected a TOML file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT && origin == ConfigOrigin::Default) {
      if (warnings != nullptr) {
        warnings->push_back(path + ": no configuration file; using built-in defaults");
      }
      return Config{};
    }
    return makeError(err == ENOENT ? "config_missing" : "config_unreadable",
                     path + ": cannot read configuration file: " + std::strerror(err));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return makeError("config_unreadable", path + ": cannot read configuration file: read error");
  }
  return loadConfigFromString(text.str(), path);
}

std::vector<std::string> errorLines(const Error& error) {
  std::vector<std::string> lines;
  std::istringstream in(error.message);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace ibackupmon

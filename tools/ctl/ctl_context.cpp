// SPDX-License-Identifier: Apache-2.0
#include "ctl_context.h"

#include <ostream>

#include "cli/command_line.h"
#include "config/config_loader.h"
#include "core/sanitize.h"

namespace ibackupmon::ctl {

Expected<std::string> resolveDatabasePath(const CliArgs& args) {
  if (args.db) return *args.db;
  auto config = args.config ? loadConfig(*args.config, ConfigOrigin::Explicit)
                            : loadConfig(kDefaultConfigPath, ConfigOrigin::Default);
  if (!config) {
    auto lines = errorLines(config.error());
    std::string first = lines.empty() ? config.error().message : lines.front();
    if (lines.size() > 1) first += " (and " + std::to_string(lines.size() - 1) + " more)";
    return makeError("config", first);
  }
  return config->storage.path;
}

Expected<std::unique_ptr<Store>> openStore(const CliArgs& args, OpenMode mode) {
  auto path = resolveDatabasePath(args);
  if (!path) return tl::unexpected(path.error());
  return Store::open(*path, mode);
}

int exitCodeFor(const Error& e) {
  const std::string& c = e.code;
  if (c == "usage") return kExitUsage;
  if (c == "not_found" || c == "ambiguous") return kExitNotFound;
  if (c == "db_missing") return kExitNoInput;
  if (c == "db_corrupt" || c == "db_newer" || c == "db_foreign" || c == "db_outdated") {
    return kExitDataErr;
  }
  if (c == "config" || c.rfind("config_", 0) == 0) return kExitConfig;
  return kExitIoErr;
}

int fail(const Context& ctx, const Error& error) {
  // One line, whatever the message holds (paths and UDIDs come from the user); usage errors in
  // the wording every ibackupmon program uses.
  const std::string message = sanitizeDeviceString(error.message, 4096);
  ctx.err << (error.code == "usage" ? cli::usageError("ibackupmonctl", message)
                                    : "ibackupmonctl: " + message + "\n");
  return exitCodeFor(error);
}

Expected<DeviceStatus> findDevice(const std::vector<DeviceStatus>& fleet,
                                  const std::string& query) {
  std::vector<const DeviceStatus*> matches;
  for (const auto& d : fleet) {
    if (d.udid == query) return d;
    bool prefix = d.udid.rfind(query, 0) == 0;
    bool suffix = d.udid.size() >= query.size() &&
                  d.udid.compare(d.udid.size() - query.size(), query.size(), query) == 0;
    if (prefix || suffix) matches.push_back(&d);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty()) return makeError("not_found", "no device matches UDID '" + query + "'");
  return makeError("ambiguous", "UDID '" + query + "' matches " + std::to_string(matches.size()) +
                                    " devices; give more characters");
}

Expected<void> expectArgs(const CliArgs& args, std::size_t count, bool allowJson,
                          bool allowFormat) {
  if (args.positional.size() != count) {
    return makeError("usage", args.command + " takes " + std::to_string(count) +
                                  (count == 1 ? " argument" : " arguments") + ", got " +
                                  std::to_string(args.positional.size()));
  }
  if (args.json && !allowJson) return makeError("usage", args.command + " has no --json");
  if (args.format && !allowFormat) return makeError("usage", args.command + " has no --format");
  return {};
}

}  // namespace ibackupmon::ctl

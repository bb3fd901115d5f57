// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <memory>

#include "store/migrator.h"
#include "store/query.h"
#include "store/sqlite_store.h"

namespace ibackupmon {
namespace {

Expected<void> checkDirectory(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    return makeError("db_unwritable", path + ": cannot create database: directory " + dir.string() +
                                          " does not exist");
  }
  return {};
}

// quick_check reads every page once: cheap enough at daemon start, and it turns a damaged file
// into a clear error now instead of a surprise on the first write.
Expected<void> quickCheck(Database& db) {
  auto lines =
      queryAll(db, "PRAGMA quick_check(3)", [](const Row& r) { return r.text("quick_check"); });
  if (!lines) return tl::unexpected(lines.error());
  std::string problems;
  for (const auto& line : *lines) {
    if (line == "ok") return {};
    problems += (problems.empty() ? "" : "; ") + line;
  }
  if (problems.empty()) return {};
  return makeError("db_corrupt", db.path() + ": database is damaged: " + problems);
}

}  // namespace

Expected<std::unique_ptr<Store>> Store::open(const std::string& path, OpenMode mode,
                                             std::chrono::milliseconds busyTimeout) {
  const bool readWrite = mode == OpenMode::ReadWrite;
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (readWrite && !existed) {
    if (auto ok = checkDirectory(path); !ok) return tl::unexpected(ok.error());
  }
  auto db = Database::open(path, readWrite ? DbAccess::ReadWrite : DbAccess::ReadOnly);
  if (!db) return tl::unexpected(db.error());
  if (readWrite && existed) {
    if (auto ok = quickCheck(*db); !ok) return tl::unexpected(ok.error());
  }
  auto version = migrate(*db, embeddedMigrations());
  if (!version) return tl::unexpected(version.error());
  db->setBusyTimeout(busyTimeout);
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db)));
}

}  // namespace ibackupmon

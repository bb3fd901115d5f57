// SPDX-License-Identifier: Apache-2.0
#include "store/migrator.h"

#include <string>

namespace ibackupmon {
namespace {

Expected<void> checkOwnership(Database& db, std::int64_t version) {
  auto appId = db.queryInt("PRAGMA application_id");
  if (!appId) return tl::unexpected(appId.error());
  if (version > 0 && *appId != kApplicationId) {
    return makeError("db_foreign", db.path() + ": not an ibackupmon database (application_id " +
                                       std::to_string(*appId) + ")");
  }
  if (version == 0) {
    auto tables = db.queryInt("SELECT count(*) FROM sqlite_schema");
    if (!tables) return tl::unexpected(tables.error());
    if (*tables > 0) {
      return makeError("db_foreign", db.path() +
                                         ": not an ibackupmon database (has tables but no "
                                         "ibackupmon schema version)");
    }
  }
  return {};
}

Expected<void> applyOne(Database& db, const Migration& m) {
  auto tx = Transaction::begin(db);
  if (!tx) return tl::unexpected(tx.error());
  if (auto ok = db.exec(m.sql); !ok) {
    return makeError(ok.error().code, ok.error().message + " (migration " +
                                          std::to_string(m.version) + "_" + std::string(m.name) +
                                          ")");
  }
  if (auto ok = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !ok) {
    return tl::unexpected(ok.error());
  }
  return tx->commit();
}

}  // namespace

Expected<int> migrate(Database& db, const std::vector<Migration>& migrations) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  auto version = db.queryInt("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  if (auto ok = checkOwnership(db, *version); !ok) return tl::unexpected(ok.error());
  if (*version > latest) {
    return makeError("db_newer",
                     db.path() + ": database schema version " + std::to_string(*version) +
                         " is newer than this ibackupmon supports (" + std::to_string(latest) +
                         "); install a newer ibackupmon or restore a backup of the "
                         "database made with this version");
  }
  if (*version == latest) return latest;
  if (db.readOnly()) {
    return makeError("db_outdated", db.path() + ": database schema version " +
                                        std::to_string(*version) + " is older than " +
                                        std::to_string(latest) +
                                        "; start ibackupmond once to migrate it");
  }
  for (const auto& m : migrations) {
    if (m.version <= *version) continue;
    if (auto ok = applyOne(db, m); !ok) return tl::unexpected(ok.error());
  }
  return latest;
}

Expected<Database> openMigrated(const std::string& path, DbAccess access) {
  auto db = Database::open(path, access);
  if (!db) return db;
  auto version = migrate(*db, embeddedMigrations());
  if (!version) return tl::unexpected(version.error());
  return db;
}

}  // namespace ibackupmon

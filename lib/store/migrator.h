// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Forward-only schema migrations, embedded from migrations/NNNN_name.sql at build time.
///
/// To add one: create migrations/NNNN_what.sql with the next number (plain SQL, no BEGIN/COMMIT,
/// no PRAGMA user_version: the migrator wraps each file in one transaction and sets the version),
/// re-run cmake's build, and add tests/fixtures/store/v<N-1>.sql if the previous version had no
/// fixture yet (see tests/fixtures/store/README.md).

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace ibackupmon {

struct Migration {
  int version = 0;        ///< NNNN of the file name; contiguous from 1
  std::string_view name;  ///< the rest of the file name
  std::string_view sql;   ///< file contents
};

/// PRAGMA application_id of an ibackupmon database ("iBkM"), so a foreign SQLite file is refused.
inline constexpr int kApplicationId = 0x69426B4D;

/// Every migration compiled into this binary, in order (generated file).
const std::vector<Migration>& embeddedMigrations();

/// Brings the database to the newest version, one transaction per migration. Refuses
/// "db_newer" (schema newer than the binary), "db_foreign" (another application's database).
/// A read-only database must already be current ("db_outdated" otherwise). Returns the version.
Expected<int> migrate(Database& db, const std::vector<Migration>& migrations);

/// Opens the database at `path` and brings it to the embedded migrations' version: a read-write
/// open creates and migrates, a read-only one checks the schema and never writes. For the
/// repositories that keep their own connection (alerts, actions).
Expected<Database> openMigrated(const std::string& path, DbAccess access);

}  // namespace ibackupmon

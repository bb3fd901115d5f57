// SPDX-License-Identifier: Apache-2.0
#pragma once
/// RAII SQLite connection with a statement cache and transactions. Only lib/store includes sqlite3.
///
///   auto db = Database::open(path, DbAccess::ReadWrite);
///   auto id = queryOne(*db, "SELECT id FROM devices WHERE udid = ?1", binds(udid),
///                      [](const Row& r) { return r.int64("id"); });  // query.h

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "store/statement.h"

struct sqlite3;

namespace ibackupmon {

enum class DbAccess { ReadWrite, ReadOnly };

class Database {
 public:
  /// Opens an existing file or (ReadWrite only) creates it. Checks the file header first so a
  /// non-SQLite file is "db_corrupt" instead of being overwritten. Sets busy timeout, foreign keys,
  /// and for ReadWrite WAL + synchronous=FULL.
  static Expected<Database> open(const std::string& path, DbAccess access);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs one or more statements without parameters (migrations, pragmas).
  Expected<void> exec(std::string_view sql);
  /// A cached prepared statement, reset, bindings cleared.
  Expected<StatementRef> prepare(std::string_view sql);
  /// Runs a single-value query such as "PRAGMA user_version".
  Expected<std::int64_t> queryInt(std::string_view sql);

  /// PRAGMA wal_checkpoint(TRUNCATE): every committed page into the database file, the -wal
  /// truncated to 0 bytes. False when a reader still needs the WAL (try again later).
  Expected<bool> checkpointTruncate();

  /// How long a statement waits for another connection's write lock before failing with
  /// db_busy (open() sets 5 s).
  void setBusyTimeout(std::chrono::milliseconds timeout);

  std::int64_t changes() const;
  /// False in autocommit mode: no transaction is open, or SQLite rolled the open one back (it
  /// may after SQLITE_FULL or SQLITE_IOERR).
  bool inTransaction() const;
  std::int64_t lastInsertRowid() const;
  bool readOnly() const { return access_ == DbAccess::ReadOnly; }
  const std::string& path() const { return path_; }

  /// Maps an SQLite result code to an Error whose message names the path and what failed:
  /// db_full, db_readonly, db_corrupt, db_busy, db_io, db_unwritable, db_error.
  Error errorFor(int rc, std::string_view what) const;

 private:
  static Expected<Database> openImmutable(const std::string& path);
  Database(sqlite3* db, std::string path, DbAccess access);
  void close();

  sqlite3* db_ = nullptr;
  std::string path_;
  DbAccess access_ = DbAccess::ReadOnly;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed. The one writer takes
/// the write lock up front so a long transaction never fails half-way on SQLITE_BUSY.
class Transaction {
 public:
  static Expected<Transaction> begin(Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Expected<void> commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace ibackupmon

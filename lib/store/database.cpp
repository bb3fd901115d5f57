// SPDX-License-Identifier: Apache-2.0
#include "store/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

namespace ibackupmon {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr char kHeader[] = "SQLite format 3";  // 16 bytes with the terminating NUL
constexpr mode_t kDatabaseMode = 0640;

std::string codeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL: return "db_full";
    case SQLITE_READONLY: return "db_readonly";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "db_corrupt";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "db_busy";
    case SQLITE_IOERR: return "db_io";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return "db_unwritable";
    default: return "db_error";
  }
}

// Refuses anything that is not an SQLite database before the first statement: SQLite would
// accept a garbage file and only fail later, and a 0-byte file is a fresh database. The header is
// read through the connection's own file handle: opening the file a second time and closing it
// would release every POSIX lock this process holds on it (fcntl locks are per process and
// inode), including the shared lock of another live connection, and a foreign process would then
// take itself for the last connection and delete -wal and -shm under it.
Expected<void> checkHeader(sqlite3* raw, const std::string& path) {
  sqlite3_file* file = nullptr;
  int rc = sqlite3_file_control(raw, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) {
    return makeError("db_unwritable", path + ": cannot read the database file");
  }
  sqlite3_int64 size = 0;
  if (file->pMethods->xFileSize(file, &size) != SQLITE_OK) {
    return makeError("db_unwritable", path + ": cannot read the size of the database file");
  }
  if (size == 0) return {};
  char head[16] = {};
  if (size < static_cast<sqlite3_int64>(sizeof head)) {
    return makeError("db_corrupt", path + ": not an SQLite database (file is only " +
                                       std::to_string(size) + " bytes; truncated?)");
  }
  if (file->pMethods->xRead(file, head, sizeof head, 0) != SQLITE_OK) {
    return makeError("db_unwritable", path + ": cannot read the database file header");
  }
  if (std::memcmp(head, kHeader, sizeof kHeader) != 0) {
    return makeError("db_corrupt", path + ": not an SQLite database (bad file header)");
  }
  return {};
}

// SQLite creates a new database file 0644 minus the umask and gives -wal and -shm the database
// file's mode. Device UDIDs, serials and names are for the daemon and group ibackupmon only, so
// a new file is created 0640 here, whatever the umask of whoever started the daemon. No
// connection can be open on a file that does not exist yet, so this open cannot release locks.
Expected<void> createPrivate(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kDatabaseMode);
  if (fd < 0 && errno == EEXIST) return {};
  if (fd < 0) {
    return makeError("db_unwritable", path + ": cannot create database: " + std::strerror(errno));
  }
  const bool modeSet = ::fchmod(fd, kDatabaseMode) == 0;
  const int err = errno;
  ::close(fd);
  if (!modeSet) {
    return makeError("db_unwritable",
                     path + ": cannot set the mode of the new database: " + std::strerror(err));
  }
  return {};
}

// file: URI for sqlite3_open_v2 with SQLITE_OPEN_URI; only these characters need escaping.
std::string immutableUri(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

// True when every committed transaction is in the main file: no -wal, or an empty one (the
// writer's last connection checkpointed and truncated it on close).
bool walIsEmpty(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path + "-wal", ec);
  return ec || size == 0;
}

// Readers that may not write the directory (group members running ibackupmonctl, a read-only
// mount) can read a WAL database only while -wal and -shm exist (sqlite.org/wal.html#readonly).
// The last writer to close would delete them; persisting keeps them, with the database file's
// mode (0640 under the unit's UMask). journal_size_limit makes that close truncate the -wal to
// 0 bytes; 64 MiB is far above the auto-checkpoint size, so it never bites while running.
Expected<void> keepWalFiles(Database& db, sqlite3* raw) {
  int persist = 1;
  int rc = sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  if (rc != SQLITE_OK) return tl::unexpected(db.errorFor(rc, "SQLITE_FCNTL_PERSIST_WAL"));
  return db.exec("PRAGMA journal_size_limit = 67108864");
}

}  // namespace

Database::Database(sqlite3* db, std::string path, DbAccess access)
    : db_(db), path_(std::move(path)), access_(access) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      access_(other.access_),
      cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    access_ = other.access_;
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Database::~Database() {
  close();
}

void Database::close() {
  cache_.clear();  // statements must be finalized before the connection closes
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

// A WAL database that cannot get its -shm file (read-only mount, no write permission on the
// directory) is unreadable by a normal read-only open. No writer can be active then (it would
// have created -shm), so it is opened as immutable instead.
Expected<Database> Database::openImmutable(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(immutableUri(path).c_str(), &raw,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return makeError(codeFor(rc), path + ": cannot open database: " + msg);
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return Database(raw, path, DbAccess::ReadOnly);
}

Expected<Database> Database::open(const std::string& path, DbAccess access) {
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  if (ec) {
    // EACCES on the directory (a user outside group ibackupmon) is not "does not exist".
    return makeError("db_unwritable", path + ": cannot access the database: " + ec.message());
  }
  if (!exists && access == DbAccess::ReadOnly) {
    return makeError("db_missing", path + ": database does not exist");
  }
  if (!exists) {
    if (auto ok = createPrivate(path); !ok) return tl::unexpected(ok.error());
  }
  int flags = SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
  flags |= access == DbAccess::ReadOnly ? SQLITE_OPEN_READONLY
                                        : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path, access);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return makeError(codeFor(rc), path + ": cannot open database: " + msg);
  }
  if (exists) {
    if (auto ok = checkHeader(raw, path); !ok) return tl::unexpected(ok.error());
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (auto ok = db.exec("PRAGMA foreign_keys = ON"); !ok) return tl::unexpected(ok.error());
  if (access == DbAccess::ReadOnly) {
    auto probe = db.queryInt("PRAGMA user_version");
    if (!probe && probe.error().code == "db_unwritable") return openImmutable(path);
    // A group member of a 0750 state directory cannot create -wal/-shm (SQLITE_READONLY_DIRECTORY)
    // once the writer has gone; with no WAL content nothing is lost by reading the file alone.
    if (!probe && probe.error().code == "db_readonly" && walIsEmpty(path)) {
      return openImmutable(path);
    }
    if (!probe) return tl::unexpected(probe.error());
  }
  if (access == DbAccess::ReadWrite && sqlite3_db_readonly(raw, "main") == 1) {
    // SQLite silently falls back to read-only when the OS refuses writes; the writer must not.
    return makeError("db_readonly", path +
                                        ": database is read-only (read-only file system or no "
                                        "write permission); ibackupmond needs to write it");
  }
  if (access == DbAccess::ReadWrite) {
    // auto_vacuum must be chosen before the first page is written (switching to WAL writes it).
    if (!exists || std::filesystem::file_size(path, ec) == 0) {
      if (auto ok = db.exec("PRAGMA auto_vacuum = INCREMENTAL"); !ok)
        return tl::unexpected(ok.error());
    }
    // synchronous=FULL: a committed backup event survives a power cut, not only a crash. The
    // write rate (a few commits per second for 1000 devices) makes the fsync cost irrelevant.
    if (auto ok = db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL"); !ok) {
      return tl::unexpected(ok.error());
    }
    if (auto ok = keepWalFiles(db, raw); !ok) return tl::unexpected(ok.error());
  }
  return db;
}

Expected<void> Database::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // errorFor reads the same message from the connection
  if (rc != SQLITE_OK) return tl::unexpected(errorFor(rc, text));
  return {};
}

Expected<StatementRef> Database::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return tl::unexpected(errorFor(rc, "preparing " + key));
    it = cache_.emplace(key, std::make_unique<Statement>(*this, stmt)).first;
  }
  it->second->reset();
  return StatementRef(*it->second);
}

Expected<std::int64_t> Database::queryInt(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return tl::unexpected(st.error());
  auto row = (*st)->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? (*st)->int64(0) : 0;
}

Expected<bool> Database::checkpointTruncate() {
  int rc = sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_BUSY) return false;
  if (rc != SQLITE_OK) return tl::unexpected(errorFor(rc, "checkpointing the WAL"));
  return true;
}

void Database::setBusyTimeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

bool Database::inTransaction() const {
  return db_ != nullptr && sqlite3_get_autocommit(db_) == 0;
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

std::int64_t Database::lastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_);
}

Error Database::errorFor(int rc, std::string_view what) const {
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string code = codeFor(rc);
  std::string msg = path_ + ": " + detail;
  if (code == "db_full") msg = path_ + ": disk full, nothing was written (" + detail + ")";
  if (code == "db_readonly") msg = path_ + ": database is read-only (" + detail + ")";
  if (!what.empty()) msg += " [while " + std::string(what.substr(0, 80)) + "]";
  return Error{code, msg};
}

Expected<Transaction> Transaction::begin(Database& db) {
  if (auto ok = db.exec("BEGIN IMMEDIATE"); !ok) return tl::unexpected(ok.error());
  return Transaction(db);
}

Transaction::~Transaction() {
  // After SQLITE_FULL SQLite may already have rolled back; the error from a second ROLLBACK
  // ("no transaction is active") is expected and harmless.
  if (db_) (void)db_->exec("ROLLBACK");
}

Expected<void> Transaction::commit() {
  auto ok = db_->exec("COMMIT");
  if (ok) db_ = nullptr;
  return ok;
}

}  // namespace ibackupmon

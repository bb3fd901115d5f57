// SPDX-License-Identifier: Apache-2.0
#include "store/statement.h"

#include <sqlite3.h>

#include <utility>

#include "store/database.h"

namespace ibackupmon {

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bindError_(other.bindError_),
      columns_(std::move(other.columns_)),
      columnsRead_(std::exchange(other.columnsRead_, false)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bindError_ = other.bindError_;
    columns_ = std::move(other.columns_);
    columnsRead_ = std::exchange(other.columnsRead_, false);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

// A failed bind (index out of range, out of memory) is remembered and reported by step(), so
// call sites can chain binds and check once.
Statement& Statement::bindInt64(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bindError_ == 0) bindError_ = rc;
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bindError_ == 0) bindError_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bindError_ == 0) bindError_ = rc;
  return *this;
}

Statement& Statement::bindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bindError_ == 0) bindError_ = rc;
  return *this;
}

Expected<bool> Statement::step() {
  if (bindError_ != 0) {
    return tl::unexpected(db_->errorFor(bindError_, "binding a parameter"));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(db_->errorFor(rc, sqlite3_sql(stmt_)));
}

Expected<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bindError_ = 0;
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

std::optional<std::int64_t> Statement::optInt64(int column) const {
  if (isNull(column)) return std::nullopt;
  return int64(column);
}

std::optional<std::string> Statement::optText(int column) const {
  if (isNull(column)) return std::nullopt;
  return text(column);
}

std::optional<int> Statement::columnIndex(std::string_view name) const {
  if (!columnsRead_) {
    const int count = sqlite3_column_count(stmt_);
    for (int i = 0; i < count; ++i) {
      const char* n = sqlite3_column_name(stmt_, i);
      if (!n) continue;  // out of memory: the name reads as missing
      auto [it, inserted] = columns_.emplace(n, i);
      if (!inserted) it->second = -1;
    }
    columnsRead_ = true;
  }
  auto it = columns_.find(name);
  if (it == columns_.end() || it->second < 0) return std::nullopt;
  return it->second;
}

std::string_view Statement::storageClass(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER: return "integer";
    case SQLITE_FLOAT: return "real";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "blob";
    default: return "null";
  }
}

Error Statement::rowError(std::string_view what) const {
  const char* sql = sqlite3_sql(stmt_);
  return Error{"db_error", db_->path() + ": " + std::string(what) + " [in " +
                               std::string(sql ? sql : "?") + "]"};
}

namespace {

constexpr unsigned bit(int storageClass) {
  return 1u << storageClass;
}
constexpr unsigned kInteger = bit(SQLITE_INTEGER);
constexpr unsigned kReal = bit(SQLITE_FLOAT);
constexpr unsigned kText = bit(SQLITE_TEXT);
constexpr unsigned kNull = bit(SQLITE_NULL);

}  // namespace

void Row::fail(std::string what) const {
  if (!error_) error_ = st_->rowError(what);
}

std::optional<int> Row::checked(std::string_view column, unsigned accepted) const {
  auto index = st_->columnIndex(column);
  if (!index) {
    fail("the result has no column \"" + std::string(column) + "\" (or more than one)");
    return std::nullopt;
  }
  if (accepted & bit(sqlite3_column_type(st_->stmt_, *index))) return index;
  auto found = st_->storageClass(*index);
  if (found == "null") {
    fail("column \"" + std::string(column) + "\" is NULL; read it with an optional accessor");
  } else {
    fail("column \"" + std::string(column) + "\" holds " + std::string(found) +
         ", not the type read");
  }
  return std::nullopt;
}

bool Row::isNull(std::string_view column) const {
  auto i = checked(column, kInteger | kReal | kText | bit(SQLITE_BLOB) | kNull);
  return i && st_->isNull(*i);
}

std::int64_t Row::int64(std::string_view column) const {
  auto i = checked(column, kInteger);
  return i ? st_->int64(*i) : 0;
}

double Row::real(std::string_view column) const {
  auto i = checked(column, kReal | kInteger);
  return i ? st_->real(*i) : 0.0;
}

std::string Row::text(std::string_view column) const {
  auto i = checked(column, kText);
  return i ? st_->text(*i) : std::string();
}

std::optional<std::int64_t> Row::optionalInt64(std::string_view column) const {
  auto i = checked(column, kInteger | kNull);
  return i ? st_->optInt64(*i) : std::nullopt;
}

std::optional<std::string> Row::optionalText(std::string_view column) const {
  auto i = checked(column, kText | kNull);
  return i ? st_->optText(*i) : std::nullopt;
}

std::optional<TimePoint> Row::optionalTime(std::string_view column) const {
  auto seconds = optionalInt64(column);
  if (!seconds) return std::nullopt;
  return fromUnixSeconds(*seconds);
}

}  // namespace ibackupmon

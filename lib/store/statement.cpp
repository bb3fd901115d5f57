// SPDX-License-Identifier: Apache-2.0
#include "store/statement.h"

#include <sqlite3.h>

#include <utility>

#include "store/database.h"

namespace ibackupmon {

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bindError_(other.bindError_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bindError_ = other.bindError_;
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

}  // namespace ibackupmon

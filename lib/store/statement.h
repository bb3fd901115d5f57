// SPDX-License-Identifier: Apache-2.0
#pragma once
/// RAII prepared statement: typed binds and column reads; errors come back as values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/error.h"

struct sqlite3_stmt;

namespace ibackupmon {

class Database;

/// Owns one sqlite3_stmt. Parameters are 1-based, columns 0-based (as in SQLite).
class Statement {
 public:
  Statement(Database& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  Statement& bind(int index, T value) {
    return bindInt64(index, static_cast<std::int64_t>(value));
  }
  Statement& bindInt64(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bindNull(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  /// Advances: true when a row is available, false when done.
  Expected<bool> step();
  /// Runs a statement that returns no rows (or ignores them) to completion.
  Expected<void> run();
  /// Back to the start with bindings cleared (called by Database::prepare and StatementRef).
  void reset();

  bool isNull(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::int64_t> optInt64(int column) const;
  std::optional<std::string> optText(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_;
  int bindError_ = 0;  ///< first bind failure, reported by step()
};

/// A borrowed cached statement, reset when the borrow ends so no read snapshot stays open.
class StatementRef {
 public:
  explicit StatementRef(Statement& s) : s_(&s) {}
  StatementRef(StatementRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  StatementRef& operator=(StatementRef&&) = delete;
  ~StatementRef() {
    if (s_) s_->reset();
  }
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

}  // namespace ibackupmon

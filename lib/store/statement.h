// SPDX-License-Identifier: Apache-2.0
#pragma once
/// RAII prepared statement: typed binds and column reads; errors come back as values.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/clock.h"
#include "core/error.h"

struct sqlite3_stmt;

namespace ibackupmon {

class Database;
class Row;

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

  /// The 0-based index of the result column called `name`, or nullopt when the result has no
  /// such column or more than one. The names are read once per prepared statement.
  std::optional<int> columnIndex(std::string_view name) const;
  /// What SQLite stores in `column` of the current row: "integer", "real", "text", "blob", "null".
  std::string_view storageClass(int column) const;
  /// An error of code "db_error" naming the database, what went wrong and this statement's SQL.
  Error rowError(std::string_view what) const;

 private:
  friend class Row;

  Database* db_;
  sqlite3_stmt* stmt_;
  int bindError_ = 0;  ///< first bind failure, reported by step()
  /// Result column name -> index; -1 for a name that stands more than once. Filled on first use.
  mutable std::map<std::string, int, std::less<>> columns_;
  mutable bool columnsRead_ = false;
};

/// The current row of a statement, its columns read by name:
///
///   row.text("udid"), row.int64("attempts"), row.time("opened"), row.optionalTime("closed")
///
/// A column is named by its AS alias or, for a plain column reference such as `d.udid`, by the
/// column's own name ("udid"). Reading a name the result does not have, a NULL through a
/// non-optional accessor, or a value of another storage class (text where an integer belongs)
/// gives the type's empty value and records an error naming the column and the SQL; forEachRow
/// and queryAll (query.h) return that error after the row. Only the first error is kept.
class Row {
 public:
  explicit Row(const Statement& st) : st_(&st) {}

  bool isNull(std::string_view column) const;
  std::int64_t int64(std::string_view column) const;
  /// An integer column holding 0 (false) or anything else (true).
  bool boolean(std::string_view column) const { return int64(column) != 0; }
  double real(std::string_view column) const;
  std::string text(std::string_view column) const;
  /// An integer column of Unix seconds.
  TimePoint time(std::string_view column) const { return fromUnixSeconds(int64(column)); }

  std::optional<std::int64_t> optionalInt64(std::string_view column) const;
  std::optional<std::string> optionalText(std::string_view column) const;
  std::optional<TimePoint> optionalTime(std::string_view column) const;

  /// The first failed read of this row (or of an earlier one read through this Row).
  const std::optional<Error>& error() const { return error_; }

 private:
  /// The column's index when it exists and holds a value the accessor reads: one of the SQLite
  /// storage classes in `accepted` (a bit per SQLITE_INTEGER ... SQLITE_NULL), else an error.
  std::optional<int> checked(std::string_view column, unsigned accepted) const;
  void fail(std::string what) const;

  const Statement* st_;
  mutable std::optional<Error> error_;
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

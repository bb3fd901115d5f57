// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Helpers over Database::prepare: one-shot statements with positional parameters, and reads
/// whose rows come back through one loop with their columns read by name (Row, statement.h).
///
///   if (auto ok = execBound(db, "UPDATE t SET x = ?1 WHERE id = ?2", x, id); !ok) return ok;
///
///   auto names = queryAll(db, "SELECT name, added FROM t WHERE owner = ?1", binds(owner),
///                         [](const Row& r) { return Entry{r.text("name"), r.time("added")}; });
///
/// Errors come back as the store maps them elsewhere: a failed prepare or step through
/// Database::errorFor, a column read that does not fit the result as Row::error.

#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace ibackupmon {

template <class... Args>
Expected<StatementRef> bound(Database& db, std::string_view sql, const Args&... args) {
  auto st = db.prepare(sql);
  if (!st) return st;
  int index = 0;
  ((*st)->bind(++index, args), ...);
  return st;
}

/// Runs a statement with the given parameters (?1, ?2, ...) to completion.
template <class... Args>
Expected<void> execBound(Database& db, std::string_view sql, const Args&... args) {
  auto st = bound(db, sql, args...);
  if (!st) return tl::unexpected(st.error());
  return (*st)->run();
}

/// The parameters ?1, ?2, ... of a read, held by reference: build it inside the call that uses
/// it (`queryAll(db, sql, binds(id, t), ...)`), never keep it.
template <class... Args>
struct Binds {
  std::tuple<const Args&...> values;
};

template <class... Args>
Binds<Args...> binds(const Args&... args) {
  return Binds<Args...>{std::tie(args...)};
}

/// Steps `st` through its rows, calling f(const Row&) for each; an f that returns bool stops
/// the loop by returning false. Stops at the first failed step or failed column read.
template <class F>
Expected<void> forEachRow(Statement& st, F&& f) {
  Row row(st);
  for (;;) {
    auto more = st.step();
    if (!more) return tl::unexpected(more.error());
    if (!*more) return {};
    bool goOn = true;
    if constexpr (std::is_same_v<std::invoke_result_t<F&, const Row&>, bool>) {
      goOn = f(std::as_const(row));
    } else {
      f(std::as_const(row));
    }
    if (row.error()) return tl::unexpected(*row.error());
    if (!goOn) return {};
  }
}

/// Prepares `sql` (cached), binds `params` and calls f(const Row&) for each row. The statement
/// is reset when this returns, so no read snapshot or RETURNING statement stays open.
template <class... Args, class F>
Expected<void> forEachRow(Database& db, std::string_view sql, const Binds<Args...>& params, F&& f) {
  auto st = std::apply([&](const auto&... a) { return bound(db, sql, a...); }, params.values);
  if (!st) return tl::unexpected(st.error());
  return forEachRow(**st, f);
}

template <class F>
Expected<void> forEachRow(Database& db, std::string_view sql, F&& f) {
  return forEachRow(db, sql, binds(), f);
}

/// The type mapRow makes of a row.
template <class F>
using RowValue = std::decay_t<std::invoke_result_t<F&, const Row&>>;

/// Every row of the result, each made into a value by mapRow(const Row&), in the result's order.
template <class... Args, class F>
Expected<std::vector<RowValue<F>>> queryAll(Database& db, std::string_view sql,
                                            const Binds<Args...>& params, F&& mapRow) {
  std::vector<RowValue<F>> out;
  auto ok = forEachRow(db, sql, params, [&](const Row& r) { out.push_back(mapRow(r)); });
  if (!ok) return tl::unexpected(ok.error());
  return out;
}

template <class F>
Expected<std::vector<RowValue<F>>> queryAll(Database& db, std::string_view sql, F&& mapRow) {
  return queryAll(db, sql, binds(), mapRow);
}

/// The first row of the result made into a value by mapRow, or nullopt when there is none.
template <class... Args, class F>
Expected<std::optional<RowValue<F>>> queryOne(Database& db, std::string_view sql,
                                              const Binds<Args...>& params, F&& mapRow) {
  std::optional<RowValue<F>> out;
  auto ok = forEachRow(db, sql, params, [&](const Row& r) {
    out = mapRow(r);
    return false;
  });
  if (!ok) return tl::unexpected(ok.error());
  return out;
}

template <class F>
Expected<std::optional<RowValue<F>>> queryOne(Database& db, std::string_view sql, F&& mapRow) {
  return queryOne(db, sql, binds(), mapRow);
}

inline std::optional<std::int64_t> unixOrNull(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return toUnixSeconds(*t);
}

}  // namespace ibackupmon

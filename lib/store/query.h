// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Small helpers over Database::prepare for one-shot statements with positional parameters.
///
///   if (auto ok = execBound(db, "UPDATE t SET x = ?1 WHERE id = ?2", x, id); !ok) return ok;

#include <optional>
#include <string_view>

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

inline std::optional<std::int64_t> unixOrNull(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return toUnixSeconds(*t);
}

inline std::optional<TimePoint> timeOrNull(const std::optional<std::int64_t>& s) {
  if (!s) return std::nullopt;
  return fromUnixSeconds(*s);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Optional-aware JSON field helpers shared by the store's codecs (internal to lib/store).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/clock.h"

namespace ibackupmon::codec {

using Json = nlohmann::json;

template <class T>
void put(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

inline void putTime(Json& j, const char* key, const std::optional<TimePoint>& t) {
  if (t) j[key] = toUnixSeconds(*t);
}

template <class T>
std::optional<T> get(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const Json::exception&) {
    return std::nullopt;  // a wrong type reads as "not known", never as a crash
  }
}

inline std::optional<TimePoint> getTime(const Json& j, const char* key) {
  auto v = get<long long>(j, key);
  if (!v) return std::nullopt;
  return fromUnixSeconds(*v);
}

/// Parses enum names written with toString(); fallback when unknown.
template <class E, std::size_t N>
E enumFromString(const std::string& text, const E (&values)[N], E fallback) {
  for (E v : values) {
    if (text == toString(v)) return v;
  }
  return fallback;
}

}  // namespace ibackupmon::codec

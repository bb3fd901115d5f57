// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Optional-aware JSON field helpers shared by the store's codecs (internal to lib/store).

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

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

/// JSON text that never throws: invalid UTF-8 is replaced.
inline std::string dumpSafe(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A struct is stored as a JSON object by one field list, used both ways:
//
//   void fields(auto&& io, Like<BatteryInfo> auto& b) { io("level", b.level); ... }
//   Json j = encodeFields(battery);  BatteryInfo b = decodeFields<BatteryInfo>(j);
//
// The io is a JsonWriter or a JsonReader; the field list is found by argument-dependent lookup,
// so it is declared in namespace codec (not in an unnamed namespace).

/// T or const T: the struct a field list describes, for writing or for reading.
template <class T, class U>
concept Like = std::same_as<std::remove_const_t<T>, U>;

template <class T>
Json encodeFields(const T& value);
template <class T>
T decodeFields(const Json& j);

/// Writes each field: optional fields only when set, times as Unix seconds, enums by name,
/// structs as nested objects (by their own field lists).
struct JsonWriter {
  Json& j;
  template <class T>
  void operator()(const char* key, const std::optional<T>& v) {
    put(j, key, v);
  }
  void operator()(const char* key, const std::optional<TimePoint>& t) { putTime(j, key, t); }
  void operator()(const char* key, const TimePoint& t) { j[key] = toUnixSeconds(t); }
  template <class T>
  void operator()(const char* key, const T& v) {
    j[key] = v;
  }
  template <class E, std::size_t N>
  void oneOf(const char* key, const E& v, const E (&)[N], E) {
    j[key] = toString(v);
  }
  template <class T>
  void object(const char* key, const T& v) {
    j[key] = encodeFields(v);
  }
  template <class T>
  void object(const char* key, const std::optional<T>& v) {
    if (v) object(key, *v);
  }
  template <class T>
  void list(const char* key, const std::vector<T>& items) {
    Json array = Json::array();
    for (const auto& item : items) array.push_back(encodeFields(item));
    j[key] = std::move(array);
  }
};

/// Reads each field: a missing or mistyped one reads as not known (nullopt), as the type's
/// empty value (0, false, "", the epoch, no items) or, for an enum, as its fallback.
struct JsonReader {
  const Json& j;
  template <class T>
  void operator()(const char* key, std::optional<T>& v) {
    v = get<T>(j, key);
  }
  void operator()(const char* key, std::optional<TimePoint>& t) { t = getTime(j, key); }
  void operator()(const char* key, TimePoint& t) { t = getTime(j, key).value_or(TimePoint{}); }
  template <class T>
  void operator()(const char* key, T& v) {
    v = get<T>(j, key).value_or(T{});
  }
  template <class E, std::size_t N>
  void oneOf(const char* key, E& v, const E (&values)[N], E fallback) {
    v = enumFromString(get<std::string>(j, key).value_or(""), values, fallback);
  }
  template <class T>
  void object(const char* key, T& v) {
    if (auto it = j.find(key); it != j.end()) v = decodeFields<T>(*it);
  }
  template <class T>
  void object(const char* key, std::optional<T>& v) {
    if (auto it = j.find(key); it != j.end()) v = decodeFields<T>(*it);
  }
  template <class T>
  void list(const char* key, std::vector<T>& items) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return;
    for (const auto& item : *it) items.push_back(decodeFields<T>(item));
  }
};

template <class T>
Json encodeFields(const T& value) {
  Json j = Json::object();
  fields(JsonWriter{j}, value);
  return j;
}

template <class T>
T decodeFields(const Json& j) {
  T value{};
  fields(JsonReader{j}, value);
  return value;
}

/// A stored JSON object as T; db_corrupt (naming `what`) when the text is not a JSON object.
template <class T>
Expected<T> decodeStored(const std::string& text, const char* what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError("db_corrupt", std::string("stored ") + what + " is not valid JSON");
  }
  return decodeFields<T>(j);
}

}  // namespace ibackupmon::codec

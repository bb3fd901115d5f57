// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A project-owned property-list tree, so nothing outside lib/device touches libplist.
/// Strings inside have already been sanitised (core/sanitize.h) when they came from a device.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ibackupmon {

struct PlistValue;
using PlistDict = std::map<std::string, PlistValue>;
using PlistArray = std::vector<PlistValue>;

/// A plist <date>: seconds since 2001-01-01T00:00:00Z (Apple's reference date), as libplist keeps
/// it.
struct PlistDate {
  double appleSeconds = 0;
  bool operator==(const PlistDate&) const = default;
};

/// A plist <data> blob (raw bytes, not text).
struct PlistData {
  std::string bytes;
  bool operator==(const PlistData&) const = default;
};

struct PlistValue {
  using Variant = std::variant<std::monostate, bool, std::int64_t, double, std::string, PlistDate,
                               PlistData, PlistArray, PlistDict>;
  Variant value;

  PlistValue() = default;
  // Implicit on purpose: fixtures and fakes read like the plists they stand for.
  PlistValue(bool v) : value(v) {}                                           // NOLINT
  PlistValue(int v) : value(static_cast<std::int64_t>(v)) {}                 // NOLINT
  PlistValue(long v) : value(static_cast<std::int64_t>(v)) {}                // NOLINT
  PlistValue(long long v) : value(static_cast<std::int64_t>(v)) {}           // NOLINT
  PlistValue(unsigned long v) : value(static_cast<std::int64_t>(v)) {}       // NOLINT
  PlistValue(unsigned long long v) : value(static_cast<std::int64_t>(v)) {}  // NOLINT
  PlistValue(double v) : value(v) {}                                         // NOLINT
  PlistValue(const char* v) : value(std::string(v)) {}                       // NOLINT
  PlistValue(std::string v) : value(std::move(v)) {}                         // NOLINT
  PlistValue(PlistDate v) : value(v) {}                                      // NOLINT
  PlistValue(PlistData v) : value(std::move(v)) {}                           // NOLINT
  PlistValue(PlistArray v) : value(std::move(v)) {}                          // NOLINT
  PlistValue(PlistDict v) : value(std::move(v)) {}                           // NOLINT

  template <class T>
  const T* get() const {
    return std::get_if<T>(&value);
  }
  bool operator==(const PlistValue&) const = default;
};

/// Name of the value's plist type for error messages: "bool", "integer", "real", "string",
/// "date", "data", "array", "dict", "null".
const char* plistTypeName(const PlistValue& v);

/// Looks a key up; nullptr when absent.
const PlistValue* findKey(const PlistDict& dict, const std::string& key);

}  // namespace ibackupmon

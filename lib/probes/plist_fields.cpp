// SPDX-License-Identifier: Apache-2.0
#include "probes/plist_fields.h"

#include <cmath>

namespace ibackupmon {
namespace {

// Dates outside 1970..2200 are garbage from the device, not moments worth comparing against.
constexpr double kMinUnix = 0;
constexpr double kMaxUnix = 7258118400.0;  // 2200-01-01

bool plausible(double unixSeconds) {
  return std::isfinite(unixSeconds) && unixSeconds >= kMinUnix && unixSeconds <= kMaxUnix;
}

// An integer or real number of seconds; nullopt for any other type.
std::optional<double> seconds(const PlistValue& v) {
  if (const auto* i = v.get<std::int64_t>()) return static_cast<double>(*i);
  if (const auto* r = v.get<double>()) return *r;
  return std::nullopt;
}

}  // namespace

std::nullopt_t FieldReader::typeError(const std::string& key, const char* expected,
                                      const PlistValue& found) {
  return valueError(key, found,
                    std::string("expected ") + expected + ", found " + plistTypeName(found));
}

std::nullopt_t FieldReader::valueError(const std::string& key, const PlistValue& found,
                                       const std::string& what) {
  invalid_.push_back(
      InvalidValue{where_, key, plistTypeName(found), where_ + ": " + key + ": " + what});
  return std::nullopt;
}

std::optional<bool> FieldReader::boolean(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  if (const auto* b = v->get<bool>()) return *b;
  return typeError(key, "bool", *v);
}

std::optional<bool> FieldReader::flag(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  if (const auto* b = v->get<bool>()) return *b;
  if (const auto* i = v->get<std::int64_t>(); i != nullptr && (*i == 0 || *i == 1)) {
    return *i == 1;
  }
  if (const auto* i = v->get<std::int64_t>()) {
    return valueError(key, *v, "expected bool or integer 0/1, found " + std::to_string(*i));
  }
  return typeError(key, "bool or integer 0/1", *v);
}

std::optional<std::int64_t> FieldReader::integer(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  if (const auto* i = v->get<std::int64_t>()) return *i;
  return typeError(key, "integer", *v);
}

std::optional<std::int64_t> FieldReader::integerIn(const std::string& key, std::int64_t min,
                                                   std::int64_t max) {
  auto i = integer(key);
  if (i && (*i < min || *i > max)) {
    return valueError(key, *findKey(dict_, key),
                      "expected " + std::to_string(min) + ".." + std::to_string(max) + ", found " +
                          std::to_string(*i));
  }
  return i;
}

std::optional<std::uint64_t> FieldReader::bytes(const std::string& key) {
  auto i = integer(key);
  if (!i) return std::nullopt;
  if (*i < 0) {
    return valueError(key, *findKey(dict_, key),
                      "expected a byte count, found " + std::to_string(*i));
  }
  return static_cast<std::uint64_t>(*i);
}

std::optional<std::string> FieldReader::string(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  if (const auto* s = v->get<std::string>()) return *s;
  return typeError(key, "string", *v);
}

std::optional<TimePoint> FieldReader::appleDate(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  std::optional<double> apple = seconds(*v);
  if (const auto* d = v->get<PlistDate>()) apple = d->appleSeconds;
  if (!apple) return typeError(key, "date, integer or real seconds since 2001-01-01", *v);
  if (!plausible(*apple + static_cast<double>(kAppleEpochOffset))) {
    return valueError(key, *v,
                      "date out of range (" + std::to_string(*apple) + " s since 2001-01-01)");
  }
  return fromAppleSeconds(*apple);
}

std::optional<TimePoint> FieldReader::unixTime(const std::string& key) {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::nullopt;
  const std::optional<double> unix = seconds(*v);
  if (!unix) return typeError(key, "integer or real seconds since 1970-01-01", *v);
  if (!plausible(*unix)) return valueError(key, *v, "time out of range");
  return fromAppleSeconds(*unix - static_cast<double>(kAppleEpochOffset));
}

}  // namespace ibackupmon

#include "probes/plist_fields.h"

#include <cmath>

#include "device/device_session.h"

namespace ibackupmon {
namespace {

// Dates outside 1970..2200 are garbage from the device, not moments worth comparing against.
constexpr double kMinUnix = 0;
constexpr double kMaxUnix = 7258118400.0;  // 2200-01-01

}  // namespace

tl::unexpected<Error> FieldReader::typeError(const std::string& key, const char* expected,
                                             const PlistValue& found) const {
  return makeError(errc::kParse, where_ + ": " + key + ": expected " + expected + ", found " +
                                     plistTypeName(found));
}

Expected<std::optional<bool>> FieldReader::boolean(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<bool>();
  if (const auto* b = v->get<bool>()) return std::optional<bool>(*b);
  return typeError(key, "bool", *v);
}

Expected<std::optional<bool>> FieldReader::flag(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<bool>();
  if (const auto* b = v->get<bool>()) return std::optional<bool>(*b);
  if (const auto* i = v->get<std::int64_t>(); i != nullptr && (*i == 0 || *i == 1)) {
    return std::optional<bool>(*i == 1);
  }
  if (const auto* i = v->get<std::int64_t>()) {
    return makeError(errc::kParse, where_ + ": " + key + ": expected bool or integer 0/1, found " +
                                       std::to_string(*i));
  }
  return typeError(key, "bool or integer 0/1", *v);
}

Expected<std::optional<std::int64_t>> FieldReader::integer(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (const auto* i = v->get<std::int64_t>()) return std::optional<std::int64_t>(*i);
  return typeError(key, "integer", *v);
}

Expected<std::optional<std::uint64_t>> FieldReader::bytes(const std::string& key) const {
  auto i = integer(key);
  if (!i) return tl::unexpected(i.error());
  if (!*i) return std::optional<std::uint64_t>();
  if (**i < 0) {
    return makeError(errc::kParse,
                     where_ + ": " + key + ": expected a byte count, found " + std::to_string(**i));
  }
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(**i));
}

Expected<std::optional<std::string>> FieldReader::string(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<std::string>();
  if (const auto* s = v->get<std::string>()) return std::optional<std::string>(*s);
  return typeError(key, "string", *v);
}

Expected<std::optional<TimePoint>> FieldReader::appleDate(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<TimePoint>();
  double apple = 0;
  if (const auto* i = v->get<std::int64_t>()) {
    apple = static_cast<double>(*i);
  } else if (const auto* r = v->get<double>()) {
    apple = *r;
  } else if (const auto* d = v->get<PlistDate>()) {
    apple = d->appleSeconds;
  } else {
    return typeError(key, "date, integer or real seconds since 2001-01-01", *v);
  }
  const double unix = apple + static_cast<double>(kAppleEpochOffset);
  if (!std::isfinite(unix) || unix < kMinUnix || unix > kMaxUnix) {
    return makeError(errc::kParse, where_ + ": " + key + ": date out of range (" +
                                       std::to_string(apple) + " s since 2001-01-01)");
  }
  return std::optional<TimePoint>(fromAppleSeconds(apple));
}

Expected<std::optional<TimePoint>> FieldReader::unixTime(const std::string& key) const {
  const PlistValue* v = findKey(dict_, key);
  if (v == nullptr) return std::optional<TimePoint>();
  double unix = 0;
  if (const auto* i = v->get<std::int64_t>()) {
    unix = static_cast<double>(*i);
  } else if (const auto* r = v->get<double>()) {
    unix = *r;
  } else {
    return typeError(key, "integer or real seconds since 1970-01-01", *v);
  }
  if (!std::isfinite(unix) || unix < kMinUnix || unix > kMaxUnix) {
    return makeError(errc::kParse, where_ + ": " + key + ": time out of range");
  }
  return std::optional<TimePoint>(fromAppleSeconds(unix - static_cast<double>(kAppleEpochOffset)));
}

}  // namespace ibackupmon

#pragma once
/// Typed reads from a lockdown reply. Absent keys are nullopt ("not read"); a key of the wrong
/// type is an error naming the domain, the key, what was expected and what was found.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "device/plist_value.h"

namespace ibackupmon {

/// Reads fields of one reply; `where` (e.g. "com.apple.mobile.backup") prefixes every error.
class FieldReader {
 public:
  FieldReader(const PlistDict& dict, std::string where) : dict_(dict), where_(std::move(where)) {}

  Expected<std::optional<bool>> boolean(const std::string& key) const;
  /// A flag sent as bool or as integer 0/1 (RequiresEncryption varies by iOS version).
  Expected<std::optional<bool>> flag(const std::string& key) const;
  Expected<std::optional<std::int64_t>> integer(const std::string& key) const;
  Expected<std::optional<std::uint64_t>> bytes(const std::string& key) const;  ///< >= 0
  Expected<std::optional<std::string>> string(const std::string& key) const;
  /// Integer or real seconds since 2001-01-01 UTC, or a plist <date>.
  Expected<std::optional<TimePoint>> appleDate(const std::string& key) const;
  /// Integer or real seconds since 1970-01-01 UTC (TimeIntervalSince1970).
  Expected<std::optional<TimePoint>> unixTime(const std::string& key) const;

 private:
  tl::unexpected<Error> typeError(const std::string& key, const char* expected,
                                  const PlistValue& found) const;

  const PlistDict& dict_;
  std::string where_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Typed reads from a lockdown reply. Absent keys are nullopt ("not read"); a key of the wrong
/// type or out of range is nullopt too, and is recorded as an InvalidValue naming the domain, the
/// key, what was expected and what was found, so one bad value never hides the others.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/snapshot.h"
#include "device/plist_value.h"

namespace ibackupmon {

/// Reads fields of one reply; `where` (e.g. "com.apple.mobile.backup") prefixes every detail.
class FieldReader {
 public:
  FieldReader(const PlistDict& dict, std::string where) : dict_(dict), where_(std::move(where)) {}

  std::optional<bool> boolean(const std::string& key);
  /// A flag sent as bool or as integer 0/1 (RequiresEncryption varies by iOS version).
  std::optional<bool> flag(const std::string& key);
  std::optional<std::int64_t> integer(const std::string& key);
  /// An integer within [min, max].
  std::optional<std::int64_t> integerIn(const std::string& key, std::int64_t min, std::int64_t max);
  std::optional<std::uint64_t> bytes(const std::string& key);  ///< >= 0
  std::optional<std::string> string(const std::string& key);
  /// Integer or real seconds since 2001-01-01 UTC, or a plist <date>.
  std::optional<TimePoint> appleDate(const std::string& key);
  /// Integer or real seconds since 1970-01-01 UTC (TimeIntervalSince1970).
  std::optional<TimePoint> unixTime(const std::string& key);

  /// The values read so far that could not be used, in the order they were read.
  const std::vector<InvalidValue>& invalid() const { return invalid_; }

 private:
  std::nullopt_t typeError(const std::string& key, const char* expected, const PlistValue& found);
  std::nullopt_t valueError(const std::string& key, const PlistValue& found,
                            const std::string& what);

  const PlistDict& dict_;
  std::string where_;
  std::vector<InvalidValue> invalid_;
};

}  // namespace ibackupmon

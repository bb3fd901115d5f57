// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Time source seam: production uses SystemClock, tests a clock they move by hand.

#include <chrono>

namespace ibackupmon {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// Seconds between the Unix epoch and Apple's reference date 2001-01-01T00:00:00Z.
inline constexpr long long kAppleEpochOffset = 978307200;

inline TimePoint fromAppleSeconds(double s) {
  return TimePoint{} +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(s + static_cast<double>(kAppleEpochOffset)));
}

inline long long toUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}

/// The whole seconds a TimePoint holds: system_clock counts nanoseconds in 64 bits, so from
/// 1677-09-21 to 2262-04-11.
inline constexpr long long kMinUnixSeconds =
    std::chrono::ceil<Seconds>(TimePoint::min().time_since_epoch()).count();
inline constexpr long long kMaxUnixSeconds =
    std::chrono::floor<Seconds>(TimePoint::max().time_since_epoch()).count();

/// Seconds beyond what a TimePoint holds (a damaged database row) are held at its first or last
/// second rather than overflowing.
inline TimePoint fromUnixSeconds(long long s) {
  if (s < kMinUnixSeconds) s = kMinUnixSeconds;
  if (s > kMaxUnixSeconds) s = kMaxUnixSeconds;
  return TimePoint{} + Seconds{s};
}

inline long long toUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace ibackupmon

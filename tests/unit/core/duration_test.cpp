// SPDX-License-Identifier: Apache-2.0
#include "core/duration.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(DurationTest, ParsesSingleUnits) {
  EXPECT_EQ(parseDuration("90s"), Duration{90});
  EXPECT_EQ(parseDuration("5m"), Duration{300});
  EXPECT_EQ(parseDuration("36h"), Duration{36 * 3600});
  EXPECT_EQ(parseDuration("7d"), Duration{7 * 86400});
}

TEST(DurationTest, ParsesCombinations) {
  EXPECT_EQ(parseDuration("1h30m"), Duration{5400});
  EXPECT_EQ(parseDuration("1d2h3m4s"), Duration{86400 + 7200 + 180 + 4});
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad :
       {"", "5", "m", "5x", "-5m", "5 m", "1.5h", "h5", "99999999999999999999d"}) {
    EXPECT_EQ(parseDuration(bad), std::nullopt) << bad;
  }
}

TEST(DurationTest, FormatRoundTrips) {
  for (long long s : {0LL, 1LL, 59LL, 60LL, 5400LL, 86400LL, 90061LL}) {
    const auto text = formatDuration(Duration{s});
    ASSERT_EQ(parseDuration(text), Duration{s}) << text;
  }
  EXPECT_EQ(formatDuration(Duration{5400}), "1h30m");
}

TEST(DurationTest, FormatAgeIsCoarse) {
  EXPECT_EQ(formatAge(Duration{45}), "45s");
  EXPECT_EQ(formatAge(Duration{9 * 86400 + 4 * 3600 + 59}), "9d 4h");
}

}  // namespace
}  // namespace ibackupmon

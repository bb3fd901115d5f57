// SPDX-License-Identifier: Apache-2.0
#include "core/time_format.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace ibackupmon {
namespace {

TEST(TimeFormatTest, AppleEpochMatchesFactsFile) {
  // A real device's LastCloudBackupDate=769034247 is 2025-05-15 20:37:27 UTC.
  EXPECT_EQ(formatRfc3339(fromAppleSeconds(769034247)), "2025-05-15T20:37:27Z");
}

TEST(TimeFormatTest, FormatsInUtcToTheSecond) {
  EXPECT_EQ(formatRfc3339(fromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(fromUnixSeconds(1747341447) + std::chrono::milliseconds(999)),
            "2025-05-15T20:37:27Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
}

TEST(TimeFormatTest, ParsesWhatItFormats) {
  const auto t = fromUnixSeconds(1747341447);
  EXPECT_EQ(parseRfc3339(formatRfc3339(t)), t);
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27.123Z"), t);  // the fraction is dropped
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27.Z"), t);     // as it always was
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27+00:00"), t);
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27-00:00"), t);
}

TEST(TimeFormatTest, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2025-05-15T22:37:27+02:00")), "2025-05-15T20:37:27Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2025-05-15T15:07:27-05:30")), "2025-05-15T20:37:27Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2025-01-01T01:00:00+02:00")), "2024-12-31T23:00:00Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2024-02-28T20:00:00.5-05:00")), "2024-02-29T01:00:00Z");
}

TEST(TimeFormatTest, LeapDaysOnlyInLeapYears) {
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2000-02-29T12:00:00Z")), "2000-02-29T12:00:00Z");
  for (const char* bad : {"2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z"}) {
    auto t = parseRfc3339(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, time_error::kValue) << bad;
  }
  EXPECT_EQ(parseRfc3339("2025-02-29T00:00:00Z").error().message,
            "2025-02-29 is not a date (February 2025 has 28 days)");
}

TEST(TimeFormatTest, ImpossibleDatesAndTimesAreRefusedSayingWhy) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const auto& c : std::vector<Case>{
           {"2025-02-31T00:00:00Z", "2025-02-31 is not a date (February 2025 has 28 days)"},
           {"2025-04-31T00:00:00Z", "2025-04-31 is not a date (April 2025 has 30 days)"},
           {"2025-01-00T00:00:00Z", "2025-01-00 is not a date (January 2025 has 31 days)"},
           {"2025-13-01T00:00:00Z", "month 13 does not exist (01-12)"},
           {"2025-00-01T00:00:00Z", "month 00 does not exist (01-12)"},
           {"2025-05-15T24:00:00Z", "hour 24 does not exist (00-23)"},
           {"2025-05-15T23:60:00Z", "minute 60 does not exist (00-59)"},
           {"2025-05-15T23:59:61Z", "second 61 does not exist (00-60)"},
           {"2025-05-15T12:00:00+24:00", "offset +24:00 does not exist (-23:59 to +23:59)"},
           {"2025-05-15T12:00:00-05:60", "offset -05:60 does not exist (-23:59 to +23:59)"},
       }) {
    auto t = parseRfc3339(c.text);
    ASSERT_FALSE(t) << c.text;
    EXPECT_EQ(t.error().code, time_error::kValue) << c.text;
    EXPECT_EQ(t.error().message, c.message) << c.text;
  }
}

TEST(TimeFormatTest, LeapSecondIsTheNextMinute) {
  // As the parser before the date library read it (timegm): 60 seconds are the next minute.
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2016-12-31T23:59:60Z")), "2017-01-01T00:00:00Z");
}

TEST(TimeFormatTest, LowerCaseZIsAcceptedLowerCaseTIsNot) {
  // As the sscanf parser did: its "T" matched only itself, its zone test allowed "z".
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27z"), fromUnixSeconds(1747341447));
  auto t = parseRfc3339("2025-05-15t20:37:27Z");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, time_error::kFormat);
}

TEST(TimeFormatTest, RefusesYearsATimePointCannotHold) {
  for (const char* far : {"9999-12-31T23:59:59Z", "2262-04-11T23:47:17Z", "0000-01-01T00:00:00Z",
                          "1677-09-21T00:12:44Z"}) {
    auto t = parseRfc3339(far);
    ASSERT_FALSE(t) << far;
    EXPECT_EQ(t.error().code, time_error::kValue) << far;
    EXPECT_EQ(t.error().message,
              "year " + std::string(far).substr(0, 4) + " is out of range (1678-2261)")
        << far;
  }
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2261-12-31T23:59:59-23:59")), "2262-01-01T23:58:59Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("1678-01-01T00:00:00+23:59")), "1677-12-31T00:01:00Z");
}

TEST(TimeFormatTest, UnixSecondsBeyondATimePointAreHeldAtItsEnds) {
  EXPECT_EQ(toUnixSeconds(fromUnixSeconds(std::numeric_limits<long long>::max())), kMaxUnixSeconds);
  EXPECT_EQ(toUnixSeconds(fromUnixSeconds(std::numeric_limits<long long>::min())), kMinUnixSeconds);
  EXPECT_EQ(formatRfc3339(fromUnixSeconds(kMaxUnixSeconds)), "2262-04-11T23:47:16Z");
}

TEST(TimeFormatTest, RejectsGarbage) {
  for (const char* bad :
       {"", "2025-05-15", "yesterday", "2025-05-15T20:37:27", "2025-05-15 20:37:27Z",
        "2025-5-15T20:37:27Z", "2025-05-15T20:37:27+0200", "2025-05-15T20:37:27+02",
        "2025-05-15T20:37:27Z ", " 2025-05-15T20:37:27Z", "2025-05-15T20:37:27ZZ",
        "+025-05-15T20:37:27Z", "2025-05-15T20:37:2aZ", "2025-05-15T20:37:27.12.3Z",
        "2025-05-15T20:37:27UTC", "2025-05-15T-1:37:27Z", "２０２５-05-15T20:37:27Z"}) {
    auto t = parseRfc3339(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, time_error::kFormat) << bad;
    EXPECT_EQ(t.error().message,
              "expected an RFC 3339 time such as 2026-12-01T00:00:00Z or "
              "2026-12-01T09:30:00+02:00")
        << bad;
  }
}

}  // namespace
}  // namespace ibackupmon

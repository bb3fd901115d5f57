// SPDX-License-Identifier: Apache-2.0
#include "core/time_format.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(TimeFormatTest, AppleEpochMatchesFactsFile) {
  // A real device's LastCloudBackupDate=769034247 is 2025-05-15 20:37:27 UTC.
  EXPECT_EQ(formatRfc3339(fromAppleSeconds(769034247)), "2025-05-15T20:37:27Z");
}

TEST(TimeFormatTest, ParsesWhatItFormats) {
  const auto t = fromUnixSeconds(1747341447);
  EXPECT_EQ(parseRfc3339(formatRfc3339(t)), t);
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27.123Z"), t);
  EXPECT_EQ(parseRfc3339("2025-05-15T20:37:27+00:00"), t);
}

TEST(TimeFormatTest, RejectsGarbage) {
  for (const char* bad :
       {"", "2025-05-15", "2025-13-01T00:00:00Z", "2025-05-15T20:37:27+02:00", "yesterday"}) {
    EXPECT_EQ(parseRfc3339(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ibackupmon

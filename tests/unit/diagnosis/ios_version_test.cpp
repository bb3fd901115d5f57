// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/ios_version.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(IosVersion, ComparesNumericallyNotTextually) {
  EXPECT_EQ(compareIosVersions("17.5.1", "17.6"), -1);
  EXPECT_EQ(compareIosVersions("17.10", "17.9"), 1);
  EXPECT_EQ(compareIosVersions("9.3.5", "10.0"), -1);
  EXPECT_EQ(compareIosVersions("18.0.1", "18"), 1);
}

TEST(IosVersion, TrailingZerosAreEqual) {
  EXPECT_EQ(compareIosVersions("18", "18.0"), 0);
  EXPECT_EQ(compareIosVersions("18.0.0", "18"), 0);
  EXPECT_EQ(compareIosVersions("17.05", "17.5"), 0);
  EXPECT_EQ(compareIosVersions(" 18.1\n", "18.1"), 0);
}

TEST(IosVersion, FormatsCanonically) {
  EXPECT_EQ(formatIosVersion(*parseIosVersion("18")), "18.0");
  EXPECT_EQ(formatIosVersion(*parseIosVersion("17.05.1")), "17.5.1");
  EXPECT_EQ(formatIosVersion(*parseIosVersion("0")), "0.0");
}

TEST(IosVersion, JunkIsUnknownNotACrash) {
  for (const char* junk :
       {"", " ", ".", "18.", ".1", "18..1", "18.1 beta", "18.1b", "-1", "+1", "1e3", "18,1", "v18",
        "1.2.3.4.5", "9999999", "18.0.1234567", "\xef\xbc\x91\xef\xbc\x98", "<script>"}) {
    EXPECT_FALSE(parseIosVersion(junk).has_value()) << junk;
    EXPECT_FALSE(compareIosVersions(junk, "18.0").has_value()) << junk;
    EXPECT_FALSE(compareIosVersions("18.0", junk).has_value()) << junk;
  }
}

TEST(IosVersion, EmbeddedNulIsJunk) {
  EXPECT_FALSE(parseIosVersion(std::string_view("18\0.1", 5)).has_value());
}

TEST(IosVersion, LargestAcceptedParts) {
  EXPECT_EQ(compareIosVersions("999999.999999.999999.999999", "999999.999999.999999.999998"), 1);
  EXPECT_TRUE(parseIosVersion("1.2.3.4").has_value());
}

TEST(IosVersion, MegabyteInputIsRejectedQuickly) {
  const std::string big(1 << 20, '1');
  EXPECT_FALSE(parseIosVersion(big).has_value());
  std::string dots;
  for (int i = 0; i < 100000; ++i) dots += "1.";
  EXPECT_FALSE(parseIosVersion(dots).has_value());
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "alert/ios_catalog.h"

#include <gtest/gtest.h>

#include "feed_fixtures.h"

namespace ibackupmon {
namespace {

using testing::readFeedFixture;

// 2024-11-01T00:00:00Z: after 18.0.1's expiry (2024-11-15 is later, so it is still offered).
const TimePoint kNow = fromUnixSeconds(1730419200);

IosCatalog fixtureCatalog() {
  auto c = parseIosCatalog(readFeedFixture("ios_catalog_pmv.json"));
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
  return c ? *c : IosCatalog{};
}

TEST(IosCatalogTest, NewestVersionForAModernIphoneIsTheHighestOffered) {
  const auto catalog = fixtureCatalog();
  const auto r = catalog.newestFor("iPhone13,2", kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->version, "18.1");
  EXPECT_EQ(r->build, "22B83");
  EXPECT_EQ(r->postingDate, "2024-10-28");
  EXPECT_TRUE(r->publicSet);  // present in both sets: the public entry is reported
}

TEST(IosCatalogTest, DevicesStuckOnAnOlderMajorGetTheirOwnNewest) {
  const auto catalog = fixtureCatalog();
  EXPECT_EQ(catalog.newestFor("iPhone10,4", kNow)->version, "16.7.10");
  EXPECT_EQ(catalog.newestFor("iPad7,5", kNow)->version, "16.7.10");
  EXPECT_EQ(catalog.newestFor("iPad14,1", kNow)->version, "18.1");
}

TEST(IosCatalogTest, UnknownProductTypeAndOtherPlatformsGiveNothing) {
  const auto catalog = fixtureCatalog();
  EXPECT_FALSE(catalog.newestFor("iPhone99,9", kNow).has_value());
  EXPECT_FALSE(catalog.newestFor("J314cAP", kNow).has_value());            // macOS only
  EXPECT_FALSE(catalog.newestFor("RealityDevice14,1", kNow).has_value());  // visionOS only
  EXPECT_FALSE(catalog.newestFor("iphone13,2", kNow).has_value());         // ProductType is exact
  EXPECT_EQ(catalog.releaseCount(), 8u);
  EXPECT_EQ(catalog.skippedEntries(), 0u);
}

TEST(IosCatalogTest, ExpiredEntriesAreNoLongerOffered) {
  const auto catalog = fixtureCatalog();
  // 18.1 and 17.7.1 expire on 2099-02-01; 17.7 on 2099-03-01.
  const TimePoint feb2099 = fromUnixSeconds(4073587200 + 86400 * 2);  // 2099-02-03
  EXPECT_EQ(catalog.newestFor("iPhone13,2", feb2099)->version, "17.7");
  const TimePoint lastDay = fromUnixSeconds(4073587200);  // 2099-02-01T00:00Z: still that day
  EXPECT_EQ(catalog.newestFor("iPhone13,2", lastDay)->version, "18.1");
}

TEST(IosCatalogTest, AssetSetsOnlyReleaseCountsAndVersionsCompareNumerically) {
  const std::string body = R"({"PublicAssetSets":{"iOS":[
      {"ProductVersion":"17.9","SupportedDevices":["iPhone12,1"]}]},
    "AssetSets":{"iOS":[
      {"ProductVersion":"17.10","SupportedDevices":["iPhone12,1"]},
      {"ProductVersion":"17.10.0","Build":"X","SupportedDevices":["iPhone12,1"]}]}})";
  auto c = parseIosCatalog(body);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  const auto r = c->newestFor("iPhone12,1", kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->version, "17.10");  // 17.10 > 17.9 numerically, only in AssetSets
  EXPECT_FALSE(r->publicSet);
}

TEST(IosCatalogTest, CompareVersionStrings) {
  EXPECT_EQ(compareVersionStrings("17.5.1", "17.5"), 1);
  EXPECT_EQ(compareVersionStrings("17.5", "17.5.1"), -1);
  EXPECT_EQ(compareVersionStrings("18", "18.0"), 0);
  EXPECT_EQ(compareVersionStrings("18.0.0", "18"), 0);
  EXPECT_EQ(compareVersionStrings("17.10", "17.9"), 1);
  EXPECT_EQ(compareVersionStrings("9.3.6", "10.0"), -1);
  for (const char* bad :
       {"", "18.", ".1", "18..1", "18.1 beta", "-1", "+1", "1.2.3.4.5", "x", "1234567"}) {
    EXPECT_FALSE(compareVersionStrings(bad, "18").has_value()) << bad;
  }
}

TEST(IosCatalogTest, MalformedEntriesAreSkippedAndCounted) {
  const std::string body = R"({"PublicAssetSets":{"iOS":[
      7, {"ProductVersion":"eighteen","SupportedDevices":["iPhone13,2"]},
      {"ProductVersion":"18.2"},
      {"ProductVersion":"18.1","SupportedDevices":["iPhone13,2", 5, ""]}]}})";
  auto c = parseIosCatalog(body);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->skippedEntries(), 3u);
  ASSERT_EQ(c->skipReasons().size(), 3u);
  EXPECT_NE(c->skipReasons()[1].find("PublicAssetSets.iOS[1]"), std::string::npos);
  EXPECT_EQ(c->newestFor("iPhone13,2", kNow)->version, "18.1");
}

struct BadCatalog {
  const char* body;
  const char* code;
  const char* mentions;
};

class IosCatalogBadInputTest : public ::testing::TestWithParam<BadCatalog> {};

TEST_P(IosCatalogBadInputTest, GivesAClearError) {
  const auto r = parseIosCatalog(GetParam().body);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, GetParam().code) << r.error().message;
  EXPECT_NE(r.error().message.find(GetParam().mentions), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, IosCatalogBadInputTest,
    ::testing::Values(
        BadCatalog{"<html><title>Captive portal</title></html>", "ios_catalog_html",
                   "Captive portal"},
        BadCatalog{"{\"PublicAssetSets\":", "ios_catalog_json", "malformed"},
        BadCatalog{"\"text\"", "ios_catalog_json", "neither JSON"},
        BadCatalog{"[]", "ios_catalog_shape", "top level"},
        BadCatalog{"{\"Versions\":[]}", "ios_catalog_shape", "keys: Versions"},
        BadCatalog{"{\"PublicAssetSets\":[]}", "ios_catalog_shape", "PublicAssetSets"},
        BadCatalog{"{\"AssetSets\":{\"iOS\":{}}}", "ios_catalog_shape", "AssetSets.iOS"},
        BadCatalog{"{\"PublicAssetSets\":{\"macOS\":[]}}", "ios_catalog_empty", "no usable"},
        BadCatalog{"{\"PublicAssetSets\":{\"iOS\":[{\"ProductVersion\":\"x\"}]}}",
                   "ios_catalog_empty", "not a version"}));

TEST(IosCatalogTest, OversizedInputIsRefused) {
  std::string huge(kMaxIosCatalogBytes + 1, ' ');
  const auto r = parseIosCatalog(huge);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "ios_catalog_too_large");
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// The feeds' results feed the real diagnosis: apple_service_outage while an iCloud Backup /
// Account event is ongoing, and ios_outdated against the catalog, falling back to
// [ios] minimum_version when there is no catalog.
#include "app/feed_poller_facts.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "alert/apple_status.h"
#include "feed_fixtures.h"

namespace ibackupmon {
namespace {

using testing::fixtureNow;
using testing::readFeedFixture;
using testing::watchedServices;

AppleStatusReport report(const std::string& fixture) {
  return *parseAppleStatus(readFeedFixture(fixture), watchedServices(), fixtureNow());
}

IosCatalog catalog() {
  return *parseIosCatalog(readFeedFixture("ios_catalog_pmv.json"));
}

DiagnosisInput device(const std::string& productType, const std::string& version) {
  DiagnosisInput in;
  in.udid = "00008030-001A2B3C4D5E6F70";
  DeviceSnapshot s;
  s.identity.udid = in.udid;
  s.identity.productType = productType;
  s.identity.productVersion = version;
  s.takenAt = fixtureNow();
  s.connected = true;
  in.snapshot = s;
  return in;
}

const Condition* find(const std::vector<Condition>& cs, const std::string& id) {
  const auto it =
      std::find_if(cs.begin(), cs.end(), [&](const Condition& c) { return c.id == id; });
  return it == cs.end() ? nullptr : &*it;
}

TEST(FeedFactsTest, OngoingICloudBackupOutageBecomesAServiceOutage) {
  const auto r = report("apple_status_current.json");
  const auto outages = serviceOutagesFrom(&r);
  ASSERT_EQ(outages.size(), 1u);  // App Store's ongoing event is not backup-affecting
  EXPECT_EQ(outages[0].service, "iCloud Backup");
  EXPECT_EQ(outages[0].statusType, "Outage");
  EXPECT_EQ(outages[0].startedAt, fromUnixSeconds(1716400020));
  EXPECT_TRUE(serviceOutagesFrom(nullptr).empty());
}

TEST(FeedFactsTest, DiagnosisRaisesAppleServiceOutageAsInformationOnly) {
  const auto r = report("apple_status_current.json");
  auto in = device("iPhone13,2", "18.1");
  in.external = externalFactsFor(&r, nullptr, std::string("iPhone13,2"), fixtureNow());
  const auto conditions = diagnose(in, DiagnosisConfig{}, fixtureNow());
  const Condition* outage = find(conditions, "apple_service_outage");
  ASSERT_NE(outage, nullptr);
  EXPECT_EQ(outage->severity, Severity::Info);
  EXPECT_EQ(outage->evidence.count("service:iCloud Backup"), 1u);
  // A feed with nothing ongoing for those services raises nothing.
  const auto calm = report("apple_status_no_event_status.json");  // ongoing: iCloud Backup
  const auto resolvedOnly = report("apple_status_missing_service.json");
  EXPECT_FALSE(serviceOutagesFrom(&calm).empty());
  EXPECT_TRUE(serviceOutagesFrom(&resolvedOnly).empty());
}

TEST(FeedFactsTest, IosOutdatedUsesTheCatalogsNewestForTheModel) {
  const auto c = catalog();
  const TimePoint now = fromUnixSeconds(1730419200);
  auto in = device("iPhone13,2", "17.7.1");
  in.external = externalFactsFor(nullptr, &c, std::string("iPhone13,2"), now);
  EXPECT_EQ(in.external.newestIosVersion, "18.1");
  const auto conditions = diagnose(in, DiagnosisConfig{}, now);  // find() points into it
  const Condition* outdated = find(conditions, "ios_outdated");
  ASSERT_NE(outdated, nullptr);
  EXPECT_EQ(outdated->evidence.at("target_version"), "18.1");
  // A model stuck on 16.x that runs its newest is not outdated.
  auto legacy = device("iPhone10,4", "16.7.10");
  legacy.external = externalFactsFor(nullptr, &c, std::string("iPhone10,4"), now);
  EXPECT_EQ(find(diagnose(legacy, DiagnosisConfig{}, now), "ios_outdated"), nullptr);
}

TEST(FeedFactsTest, WithoutACatalogMinimumVersionStillApplies) {
  const TimePoint now = fromUnixSeconds(1730419200);
  auto in = device("iPhone13,2", "17.4");
  in.external = externalFactsFor(nullptr, nullptr, std::string("iPhone13,2"), now);
  EXPECT_FALSE(in.external.newestIosVersion.has_value());
  DiagnosisConfig config;
  EXPECT_EQ(find(diagnose(in, config, now), "ios_outdated"), nullptr);  // nothing to compare
  config.iosMinimumVersion = "17.5";
  const auto conditions = diagnose(in, config, now);  // find() points into it
  const Condition* outdated = find(conditions, "ios_outdated");
  ASSERT_NE(outdated, nullptr);
  EXPECT_EQ(outdated->evidence.at("target_version"), "17.5");
  // A model the catalog does not list falls back the same way.
  const auto c = catalog();
  auto unknown = device("iPhone99,1", "17.4");
  unknown.external = externalFactsFor(nullptr, &c, std::string("iPhone99,1"), now);
  EXPECT_FALSE(unknown.external.newestIosVersion.has_value());
  EXPECT_NE(find(diagnose(unknown, config, now), "ios_outdated"), nullptr);
}

}  // namespace
}  // namespace ibackupmon

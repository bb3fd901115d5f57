// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "fixture.h"
#include "probes/facets.h"

namespace ibackupmon {
namespace {

using testing::loadFixture;

TEST(ParseBackup, RealIos18ReplyWithIntegerDates) {
  auto b = parseBackupFacts(loadFixture("backup_ios18.plist"));
  ASSERT_TRUE(b.invalid.empty()) << b.invalid[0].detail;
  EXPECT_EQ(b.value.cloudBackupEnabled, true);
  ASSERT_TRUE(b.value.lastCloudBackup);
  EXPECT_EQ(formatRfc3339(*b.value.lastCloudBackup), "2025-05-15T20:37:27Z");
  EXPECT_EQ(b.value.lastCloudBackupTz, "GMT-4");
  EXPECT_EQ(b.value.requiresEncryption, false);
  EXPECT_EQ(b.value.version, "2.0");
  EXPECT_FALSE(b.value.lastComputerBackup);
  EXPECT_FALSE(b.value.willEncrypt);  // absent stays unknown, not false
}

TEST(ParseBackup, PlistDateRealAndBoolFlag) {
  auto b = parseBackupFacts(loadFixture("backup_dates.plist"));
  ASSERT_TRUE(b.invalid.empty()) << b.invalid[0].detail;
  EXPECT_EQ(b.value.cloudBackupEnabled, false);
  EXPECT_EQ(formatRfc3339(*b.value.lastCloudBackup), "2025-05-15T20:37:27Z");
  EXPECT_EQ(toUnixSeconds(*b.value.lastComputerBackup), 769034247 + kAppleEpochOffset);
  EXPECT_EQ(b.value.requiresEncryption, true);
  EXPECT_EQ(b.value.willEncrypt, false);
}

TEST(ParseBackup, WrongTypeNamesDomainKeyAndTypesAndKeepsTheOtherKeys) {
  auto b = parseBackupFacts(loadFixture("backup_wrong_type.plist"));
  ASSERT_EQ(b.invalid.size(), 1u);
  EXPECT_EQ(b.invalid[0].domain, "com.apple.mobile.backup");
  EXPECT_EQ(b.invalid[0].key, "CloudBackupEnabled");
  EXPECT_EQ(b.invalid[0].type, "string");
  EXPECT_EQ(
      b.invalid[0].detail,
      "com.apple.mobile.backup: CloudBackupEnabled: expected bool or integer 0/1, found string");
  EXPECT_FALSE(b.value.cloudBackupEnabled);
  ASSERT_TRUE(b.value.lastCloudBackup);
  EXPECT_EQ(formatRfc3339(*b.value.lastCloudBackup), "2025-05-15T20:37:27Z");
}

TEST(ParseBackup, FlagOutsideZeroOneIsAnError) {
  auto b = parseBackupFacts(loadFixture("backup_bad_flag.plist"));
  ASSERT_EQ(b.invalid.size(), 1u);
  EXPECT_EQ(b.invalid[0].key, "RequiresEncryption");
  EXPECT_NE(b.invalid[0].detail.find("found 7"), std::string::npos);
  EXPECT_FALSE(b.value.requiresEncryption);
}

TEST(ParseBackup, EmptyDomainIsAllUnknown) {
  auto b = parseBackupFacts(loadFixture("backup_empty.plist"));
  ASSERT_TRUE(b.invalid.empty());
  EXPECT_FALSE(b.value.cloudBackupEnabled);
  EXPECT_FALSE(b.value.lastCloudBackup);
}

TEST(ParseBackup, DateOutOfRangeIsAnError) {
  PlistDict d{{"LastCloudBackupDate", PlistValue(1e300)}};
  auto b = parseBackupFacts(d);
  ASSERT_EQ(b.invalid.size(), 1u);
  EXPECT_NE(b.invalid[0].detail.find("LastCloudBackupDate: date out of range"), std::string::npos);
  EXPECT_FALSE(b.value.lastCloudBackup);
}

// Every unusable value is reported (not only the first), and the domain's valid keys are kept.
TEST(ParseBackup, EveryInvalidValueIsReportedAndValidKeysKept) {
  auto b = parseBackupFacts(PlistDict{{"LastCloudBackupDate", PlistValue("yesterday")},
                                      {"LastiTunesBackupDate", PlistValue(-2000000000)},
                                      {"CloudBackupEnabled", PlistValue(true)},
                                      {"LastCloudBackupTZ", PlistValue("GMT-4")}});
  ASSERT_EQ(b.invalid.size(), 2u);
  EXPECT_EQ(b.invalid[0].key, "LastCloudBackupDate");
  EXPECT_EQ(b.invalid[0].type, "string");
  EXPECT_EQ(b.invalid[1].key, "LastiTunesBackupDate");
  EXPECT_EQ(b.invalid[1].type, "integer");
  EXPECT_EQ(b.value.cloudBackupEnabled, true);
  EXPECT_EQ(b.value.lastCloudBackupTz, "GMT-4");
  EXPECT_FALSE(b.value.lastCloudBackup);
  EXPECT_FALSE(b.value.lastComputerBackup);
}

TEST(ParseIdentity, NameAsDataIsInvalidAndTheRestKept) {
  auto id = parseIdentity(PlistDict{{"DeviceName", PlistValue(PlistData{"\x1b[2J"})},
                                    {"ProductVersion", PlistValue("18.4.1")}});
  ASSERT_EQ(id.invalid.size(), 1u);
  EXPECT_EQ(id.invalid[0].key, "DeviceName");
  EXPECT_EQ(id.invalid[0].type, "data");
  EXPECT_FALSE(id.value.name);
  EXPECT_EQ(id.value.productVersion, "18.4.1");
}

TEST(ParseBattery, AllKeys) {
  auto b = parseBatteryInfo(loadFixture("battery.plist"));
  ASSERT_TRUE(b.invalid.empty()) << b.invalid[0].detail;
  EXPECT_EQ(b.value.level, 87);
  EXPECT_EQ(b.value.charging, true);
  EXPECT_EQ(b.value.externalConnected, true);
  EXPECT_EQ(b.value.externalChargeCapable, true);
  EXPECT_EQ(b.value.fullyCharged, false);
  EXPECT_EQ(b.value.hasBattery, true);
}

TEST(ParseBattery, LevelOutOfRange) {
  auto b = parseBatteryInfo(loadFixture("battery_out_of_range.plist"));
  ASSERT_EQ(b.invalid.size(), 1u);
  EXPECT_EQ(b.invalid[0].type, "integer");
  EXPECT_EQ(b.invalid[0].detail,
            "com.apple.mobile.battery: BatteryCurrentCapacity: expected 0..100, found 250");
  EXPECT_FALSE(b.value.level);
}

TEST(ParseBattery, WrongType) {
  auto b = parseBatteryInfo(PlistDict{{"ExternalConnected", PlistValue(1)}});
  ASSERT_EQ(b.invalid.size(), 1u);
  EXPECT_EQ(b.invalid[0].detail,
            "com.apple.mobile.battery: ExternalConnected: expected bool, found integer");
  EXPECT_FALSE(b.value.externalConnected);
}

TEST(ParseStorage, Bytes) {
  auto s = parseStorageInfo(loadFixture("disk_usage.plist"));
  ASSERT_TRUE(s.invalid.empty()) << s.invalid[0].detail;
  EXPECT_EQ(s.value.totalDiskCapacity, 128000000000ull);
  EXPECT_EQ(s.value.totalDataAvailable, 1523404800ull);
  EXPECT_EQ(s.value.amountDataReserved, 209715200ull);
}

TEST(ParseStorage, NegativeIsAnError) {
  auto s = parseStorageInfo(PlistDict{{"TotalDataAvailable", PlistValue(-5)}});
  ASSERT_EQ(s.invalid.size(), 1u);
  EXPECT_FALSE(s.value.totalDataAvailable);
  EXPECT_NE(s.invalid[0].detail.find("TotalDataAvailable: expected a byte count, found -5"),
            std::string::npos);
}

TEST(ParseIdentity, DefaultDomain) {
  auto id = parseIdentity(loadFixture("default_domain.plist"));
  ASSERT_TRUE(id.invalid.empty()) << id.invalid[0].detail;
  EXPECT_EQ(id.value.name, "iPad-Cart3-17");
  EXPECT_EQ(id.value.productType, "iPhone13,2");
  EXPECT_EQ(id.value.productVersion, "18.4.1");
  EXPECT_EQ(id.value.buildVersion, "22E252");
  EXPECT_EQ(id.value.serial, "F2LXXXXXXXXX");
  EXPECT_EQ(id.value.passwordProtected, true);
  EXPECT_EQ(id.value.activationState, "Activated");
  ASSERT_TRUE(id.value.deviceClock);
  EXPECT_EQ(toUnixSeconds(*id.value.deviceClock), 1747341447);
}

TEST(ParseIdentity, HostileNameIsSanitisedAndWrongTypeReported) {
  const PlistDict d = loadFixture("default_domain_hostile.plist");
  const auto* name = findKey(d, "DeviceName")->get<std::string>();
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->find('\r'), std::string::npos);
  EXPECT_EQ(name->find('\n'), std::string::npos);
  auto id = parseIdentity(d);
  ASSERT_EQ(id.invalid.size(), 1u);
  EXPECT_EQ(id.invalid[0].detail, "default domain: ProductType: expected string, found integer");
  EXPECT_FALSE(id.value.productType);
  EXPECT_EQ(id.value.name, *name);
}

TEST(ParseAccount, SignedIn) {
  auto a = parseAccountInfo(loadFixture("data_sync.plist"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->icloudSignedIn, true);
  EXPECT_EQ(a->accountNames, (std::vector<std::string>{"iCloud", "Exchange"}));
}

TEST(ParseAccount, NoIcloudAccountIsSignedOut) {
  auto a = parseAccountInfo(loadFixture("data_sync_signed_out.plist"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->icloudSignedIn, false);
}

TEST(ParseAccount, NoAccountListsIsUnknown) {
  auto a = parseAccountInfo(PlistDict{{"Bookmarks", PlistValue(PlistDict{})}});
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->icloudSignedIn);
}

TEST(ParseAccount, WrongType) {
  auto a = parseAccountInfo(
      PlistDict{{"Contacts", PlistValue(PlistDict{{"AccountNames", PlistValue("iCloud")}})}});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message,
            "com.apple.mobile.data_sync: Contacts.AccountNames: expected array, found string");
}

TEST(ParseWifi, LinkStatus) {
  EXPECT_EQ(parseWifiState(loadFixture("wifi_ioreg.plist")), WifiState::Associated);
  EXPECT_EQ(parseWifiState(loadFixture("wifi_ioreg_down.plist")), WifiState::NotAssociated);
  EXPECT_EQ(parseWifiState(PlistDict{{"IOLinkStatus", PlistValue("up")}}), WifiState::Unknown);
  EXPECT_EQ(parseWifiState(PlistDict{}), WifiState::Unknown);
  EXPECT_EQ(parseWifiState(PlistDict{{"IO80211SSID", PlistValue("Lab")}}), WifiState::Associated);
}

}  // namespace
}  // namespace ibackupmon

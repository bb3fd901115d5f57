#include <gtest/gtest.h>

#include "core/time_format.h"
#include "fixture.h"
#include "probes/account_probe.h"
#include "probes/backup_probe.h"
#include "probes/battery_probe.h"
#include "probes/identity_probe.h"
#include "probes/storage_probe.h"
#include "probes/wifi_probe.h"

namespace ibackupmon {
namespace {

using testing::loadFixture;

TEST(ParseBackup, RealIos18ReplyWithIntegerDates) {
  auto b = parseBackupFacts(loadFixture("backup_ios18.plist"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cloudBackupEnabled, true);
  ASSERT_TRUE(b->lastCloudBackup);
  EXPECT_EQ(formatRfc3339(*b->lastCloudBackup), "2025-05-15T20:37:27Z");
  EXPECT_EQ(b->lastCloudBackupTz, "GMT-4");
  EXPECT_EQ(b->requiresEncryption, false);
  EXPECT_EQ(b->version, "2.0");
  EXPECT_FALSE(b->lastComputerBackup);
  EXPECT_FALSE(b->willEncrypt);  // absent stays unknown, not false
}

TEST(ParseBackup, PlistDateRealAndBoolFlag) {
  auto b = parseBackupFacts(loadFixture("backup_dates.plist"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->cloudBackupEnabled, false);
  EXPECT_EQ(formatRfc3339(*b->lastCloudBackup), "2025-05-15T20:37:27Z");
  EXPECT_EQ(toUnixSeconds(*b->lastComputerBackup), 769034247 + kAppleEpochOffset);
  EXPECT_EQ(b->requiresEncryption, true);
  EXPECT_EQ(b->willEncrypt, false);
}

TEST(ParseBackup, WrongTypeNamesDomainKeyAndTypes) {
  auto b = parseBackupFacts(loadFixture("backup_wrong_type.plist"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, "parse_error");
  EXPECT_EQ(
      b.error().message,
      "com.apple.mobile.backup: CloudBackupEnabled: expected bool or integer 0/1, found string");
}

TEST(ParseBackup, FlagOutsideZeroOneIsAnError) {
  auto b = parseBackupFacts(loadFixture("backup_bad_flag.plist"));
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("RequiresEncryption"), std::string::npos);
  EXPECT_NE(b.error().message.find("found 7"), std::string::npos);
}

TEST(ParseBackup, EmptyDomainIsAllUnknown) {
  auto b = parseBackupFacts(loadFixture("backup_empty.plist"));
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->cloudBackupEnabled);
  EXPECT_FALSE(b->lastCloudBackup);
}

TEST(ParseBackup, DateOutOfRangeIsAnError) {
  PlistDict d{{"LastCloudBackupDate", PlistValue(1e300)}};
  auto b = parseBackupFacts(d);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("LastCloudBackupDate: date out of range"), std::string::npos);
}

TEST(ParseBattery, AllKeys) {
  auto b = parseBatteryInfo(loadFixture("battery.plist"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->level, 87);
  EXPECT_EQ(b->charging, true);
  EXPECT_EQ(b->externalConnected, true);
  EXPECT_EQ(b->externalChargeCapable, true);
  EXPECT_EQ(b->fullyCharged, false);
  EXPECT_EQ(b->hasBattery, true);
}

TEST(ParseBattery, LevelOutOfRange) {
  auto b = parseBatteryInfo(loadFixture("battery_out_of_range.plist"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message,
            "com.apple.mobile.battery: BatteryCurrentCapacity: expected 0..100, found 250");
}

TEST(ParseBattery, WrongType) {
  auto b = parseBatteryInfo(PlistDict{{"ExternalConnected", PlistValue(1)}});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message,
            "com.apple.mobile.battery: ExternalConnected: expected bool, found integer");
}

TEST(ParseStorage, Bytes) {
  auto s = parseStorageInfo(loadFixture("disk_usage.plist"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->totalDiskCapacity, 128000000000ull);
  EXPECT_EQ(s->totalDataAvailable, 1523404800ull);
  EXPECT_EQ(s->amountDataReserved, 209715200ull);
}

TEST(ParseStorage, NegativeIsAnError) {
  auto s = parseStorageInfo(PlistDict{{"TotalDataAvailable", PlistValue(-5)}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("TotalDataAvailable: expected a byte count, found -5"),
            std::string::npos);
}

TEST(ParseIdentity, DefaultDomain) {
  auto id = parseIdentity(loadFixture("default_domain.plist"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->name, "iPad-Cart3-17");
  EXPECT_EQ(id->productType, "iPhone13,2");
  EXPECT_EQ(id->productVersion, "18.4.1");
  EXPECT_EQ(id->buildVersion, "22E252");
  EXPECT_EQ(id->serial, "F2LXXXXXXXXX");
  EXPECT_EQ(id->passwordProtected, true);
  EXPECT_EQ(id->activationState, "Activated");
  ASSERT_TRUE(id->deviceClock);
  EXPECT_EQ(toUnixSeconds(*id->deviceClock), 1747341447);
}

TEST(ParseIdentity, HostileNameIsSanitisedAndWrongTypeReported) {
  const PlistDict d = loadFixture("default_domain_hostile.plist");
  const auto* name = findKey(d, "DeviceName")->get<std::string>();
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->find('\r'), std::string::npos);
  EXPECT_EQ(name->find('\n'), std::string::npos);
  auto id = parseIdentity(d);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message, "default domain: ProductType: expected string, found integer");
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

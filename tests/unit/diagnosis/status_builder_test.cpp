// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/status_builder.h"

#include <gtest/gtest.h>

#include "core/device_state.h"
#include "fixtures.h"

namespace ibackupmon::testing {
namespace {

DeviceStatus statusOf(const DiagnosisInput& in, const DiagnosisConfig& c = defaultConfig()) {
  return diagnoseStatus(in, c, fixtureNow());
}

TEST(BuildStatus, HealthyDeviceIsOk) {
  const auto s = statusOf(healthyDevice());
  EXPECT_EQ(s.udid, kUdid);
  EXPECT_EQ(s.name, "Cart 1 Slot 3");
  EXPECT_EQ(s.productType, "iPhone13,2");
  EXPECT_EQ(s.iosVersion, "18.1");
  EXPECT_EQ(s.serial, "F2LXK0ABCDEF");
  EXPECT_TRUE(s.connected);
  EXPECT_EQ(s.firstSeen, fixtureNow() - days(30));
  EXPECT_EQ(s.lastSeen, fixtureNow());
  EXPECT_EQ(s.lastCloudBackup, fixtureNow() - hours(10));
  EXPECT_FALSE(s.lastComputerBackup.has_value());
  EXPECT_EQ(s.icloudBackupEnabled, true);
  EXPECT_EQ(s.batteryLevel, 80);
  EXPECT_EQ(s.onPower, true);
  EXPECT_EQ(s.charging, true);
  EXPECT_EQ(s.storageAvailableBytes, 20ull << 30);
  EXPECT_EQ(s.storageCapacityBytes, 64ull << 30);
  EXPECT_EQ(s.backupState, BackupState::Ok);
  EXPECT_TRUE(s.conditions.empty());
  EXPECT_EQ(deviceState(s), DeviceState::Ok);
}

TEST(BuildStatus, LabelWinsOverDeviceName) {
  auto in = healthyDevice();
  in.setting = DeviceSetting{kUdid, "Lab iPad 7", "Cart B / slot 12"};
  const auto s = statusOf(in);
  EXPECT_EQ(s.name, "Lab iPad 7");
  EXPECT_EQ(s.label, "Lab iPad 7");
  EXPECT_EQ(s.location, "Cart B / slot 12");
}

TEST(BuildStatus, SlotLabelNamesADeviceWithoutItsOwnLabel) {
  auto in = healthyDevice();
  in.slot = DeviceSlot{"1-2.3.4", "pci-0000:00:14.0-usb-0:2.3.4", "Cart A / 07", 480.0};
  auto s = statusOf(in);
  EXPECT_EQ(s.slot, in.slot);
  EXPECT_EQ(s.label, "Cart A / 07");
  EXPECT_EQ(s.name, "Cart A / 07");

  in.setting = DeviceSetting{kUdid, "Lab iPad 7", std::nullopt};
  s = statusOf(in);
  EXPECT_EQ(s.label, "Lab iPad 7");  // the device's own label wins; the slot is still its slot
  EXPECT_EQ(s.slot->label, "Cart A / 07");

  in.setting.reset();
  in.slot->label.reset();  // a port no [[slot]] names
  s = statusOf(in);
  EXPECT_EQ(s.label, std::nullopt);
  EXPECT_EQ(s.slot->port, "1-2.3.4");

  in.history.connected = false;
  in.snapshot->connected = false;
  EXPECT_EQ(statusOf(in).slot, std::nullopt);  // where it was is history, not where it is
}

TEST(BuildStatus, AmountDataAvailableWhenTotalAbsent) {
  auto in = healthyDevice();
  in.snapshot->storage->totalDataAvailable.reset();
  in.snapshot->storage->amountDataAvailable = 12345;
  EXPECT_EQ(statusOf(in).storageAvailableBytes, 12345u);
}

TEST(BuildStatus, DetachedDeviceHasNoLivePowerButKeepsFacts) {
  auto in = healthyDevice();
  in.history.connected = false;
  in.snapshot->connected = false;
  const auto s = statusOf(in);
  EXPECT_FALSE(s.connected);
  EXPECT_FALSE(s.batteryLevel.has_value());
  EXPECT_FALSE(s.onPower.has_value());
  EXPECT_EQ(s.icloudBackupEnabled, true);
  EXPECT_EQ(s.iosVersion, "18.1");
}

TEST(BuildStatus, NeverReadDeviceIsUnknownNotOk) {
  DiagnosisInput in;
  in.udid = kUdid;
  in.history.udid = kUdid;
  in.history.connected = true;
  in.history.firstSeen = fixtureNow() - days(10);
  const auto s = statusOf(in);
  EXPECT_EQ(s.backupState, BackupState::Unknown);
  EXPECT_EQ(deviceState(s), DeviceState::Unknown);
  EXPECT_EQ(s.name, "");
  EXPECT_FALSE(s.icloudBackupEnabled.has_value());
  EXPECT_FALSE(s.onPower.has_value());
}

TEST(BuildStatus, LockedNeverReadDeviceIsUnknownEvenWithWarning) {
  auto in = healthyDevice();
  makeUnreadable(in, TrustState::PasscodeLocked);
  in.history = DeviceHistory{};
  in.history.connected = true;
  const auto s = statusOf(in);
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].id, "passcode_locked");
  EXPECT_EQ(deviceState(s), DeviceState::Unknown);
}

TEST(BuildStatus, ConditionsWorstFirst) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(10));
  in.snapshot->battery->externalConnected = false;
  in.external.outages.push_back({"iCloud Backup", "Outage", "m", {}});
  const auto s = statusOf(in);
  ASSERT_EQ(s.conditions.size(), 3u);
  EXPECT_EQ(s.conditions[0].id, "backup_stale");
  EXPECT_EQ(s.conditions[0].severity, Severity::Critical);
  EXPECT_EQ(s.conditions[1].id, "not_on_power");
  EXPECT_EQ(s.conditions[2].id, "apple_service_outage");
  EXPECT_EQ(deviceState(s), DeviceState::Critical);
}

TEST(BuildStatus, SortsConditionsItIsGiven) {
  Condition info{"apple_service_outage", Severity::Info};
  Condition warn{"not_on_power", Severity::Warning};
  const auto s = buildStatus(healthyDevice(), defaultConfig(), {info, warn}, fixtureNow());
  EXPECT_EQ(s.conditions[0].id, "not_on_power");
}

TEST(DeviceState, InfoOnlyIsOk) {
  DeviceStatus s;
  s.backupState = BackupState::Ok;
  s.conditions.push_back(Condition{"apple_service_outage", Severity::Info});
  EXPECT_EQ(deviceState(s), DeviceState::Ok);
  EXPECT_STREQ(toString(DeviceState::Unknown), "unknown");
}

DeviceStatus row(const char* name, DeviceState h, std::optional<TimePoint> cloud) {
  DeviceStatus s;
  s.udid = std::string("udid-") + name;
  s.name = name;
  s.lastCloudBackup = cloud;
  s.backupState = h == DeviceState::Unknown ? BackupState::Unknown : BackupState::Ok;
  if (h == DeviceState::Critical) s.conditions.push_back({"backup_stale", Severity::Critical});
  if (h == DeviceState::Warning) s.conditions.push_back({"not_on_power", Severity::Warning});
  return s;
}

TEST(SortFleet, CriticalUnknownWarningOkThenOldestBackup) {
  const TimePoint now = fixtureNow();
  std::vector<DeviceStatus> fleet = {
      row("ok-new", DeviceState::Ok, now - hours(1)),
      row("warn", DeviceState::Warning, now - hours(2)),
      row("ok-old", DeviceState::Ok, now - hours(20)),
      row("unknown", DeviceState::Unknown, std::nullopt),
      row("crit-b", DeviceState::Critical, now - days(8)),
      row("crit-never", DeviceState::Critical, std::nullopt),
      row("crit-a", DeviceState::Critical, now - days(8)),
  };
  sortFleet(fleet, BackupExpect::ICloud);
  std::vector<std::string> names;
  for (const auto& s : fleet) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"crit-never", "crit-a", "crit-b", "unknown", "warn",
                                             "ok-old", "ok-new"}));
}

TEST(SortFleet, ExpectSelectsWhichBackupCounts) {
  const TimePoint now = fixtureNow();
  auto a = row("a", DeviceState::Ok, now - hours(1));
  a.lastComputerBackup = now - hours(30);
  auto b = row("b", DeviceState::Ok, now - hours(20));
  b.lastComputerBackup = now - hours(2);
  std::vector<DeviceStatus> fleet = {b, a};
  sortFleet(fleet, BackupExpect::Computer);
  EXPECT_EQ(fleet[0].name, "a");
  sortFleet(fleet, BackupExpect::ICloud);
  EXPECT_EQ(fleet[0].name, "b");
}

TEST(DiagnosisConfigFrom, CopiesEveryThreshold) {
  Config config;
  config.backup.staleAfter = hours(12);
  config.backup.criticalAfter = days(3);
  config.backup.missingAfter = days(1);
  config.backup.expect = BackupExpect::Either;
  config.thresholds.batteryLow = 35;
  config.thresholds.storageLow = 777;
  config.thresholds.clockSkew = minutes(2);
  config.ios.minimumVersion = "17.0";
  const auto d = diagnosisConfigFrom(config);
  EXPECT_EQ(d.staleAfter, hours(12));
  EXPECT_EQ(d.criticalAfter, days(3));
  EXPECT_EQ(d.missingAfter, days(1));
  EXPECT_EQ(d.expect, BackupExpect::Either);
  EXPECT_EQ(d.batteryLow, 35);
  EXPECT_EQ(d.storageLow, 777u);
  EXPECT_EQ(d.clockSkew, minutes(2));
  EXPECT_EQ(d.iosMinimumVersion, "17.0");
}

}  // namespace
}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "store/store_codec.h"

namespace ibackupmon {
namespace {

// The stored form of a snapshot and a status: databases written by earlier builds hold this
// text, so it must keep reading back to the same values and encoding to the same text.
constexpr const char* kSnapshotJson =
    R"({"account":{"account_names":["a@b.c"],"icloud_signed_in":true},"backup":{"cloud_backup_enabled":true,"future_computer_backup":1800000000,"last_cloud_backup":1690000000,"last_cloud_backup_tz":"+02:00","last_computer_backup":1680000000,"requires_encryption":true,"version":"10.0","will_encrypt":false},"battery":{"charging":true,"has_battery":true,"level":81},"connected":true,"identity":{"activation_state":"Activated","build_version":"21F90","device_clock":1700000001,"name":"iPad","password_protected":true,"product_type":"iPad13,1","product_version":"17.5.1","serial":"SER","udid":"U1"},"network":false,"probes":[{"detail":"","error":"","probe":"identity","seconds":0.25,"status":"ok"},{"detail":"no answer","error":"timeout","probe":"battery","seconds":5.0,"status":"no_data"}],"storage":{"amount_data_reserved":1073741824,"total_disk_capacity":137438953472},"taken_at":1700000000,"trust":"passcode_locked","wifi":"associated"})";

constexpr const char* kStatusJson =
    R"({"backup_state":"stale","battery_level":40,"conditions":[{"confidence":"inferred","evidence":{"days":"12"},"fix":"back up","id":"backup_stale","severity":"critical","since":1690000000,"summary":"old"}],"connected":true,"first_seen":1600000000,"ios_version":"17.5.1","label":"lab","last_computer_backup":1680000000,"name":"iPad","on_power":false,"storage_capacity_bytes":68719476736,"udid":"U1"})";

TEST(CodecTest, SnapshotReadsBackAndEncodesToTheSameText) {
  auto s = codec::decodeSnapshot(kSnapshotJson);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->identity.udid, "U1");
  EXPECT_EQ(s->identity.deviceClock, fromUnixSeconds(1700000001));
  EXPECT_EQ(s->identity.passwordProtected, true);
  EXPECT_EQ(s->takenAt, fromUnixSeconds(1700000000));
  EXPECT_EQ(s->trust, TrustState::PasscodeLocked);
  EXPECT_EQ(s->wifi, WifiState::Associated);
  ASSERT_TRUE(s->backup);
  EXPECT_EQ(s->backup->lastCloudBackupTz, "+02:00");
  EXPECT_EQ(s->backup->futureCloudBackup, std::nullopt);
  EXPECT_EQ(s->backup->futureComputerBackup, fromUnixSeconds(1800000000));
  ASSERT_TRUE(s->battery);
  EXPECT_EQ(s->battery->level, 81);
  EXPECT_EQ(s->battery->externalConnected, std::nullopt);
  ASSERT_TRUE(s->storage);
  EXPECT_EQ(s->storage->totalDiskCapacity, 128ull << 30);
  ASSERT_TRUE(s->account);
  EXPECT_EQ(s->account->accountNames, std::vector<std::string>{"a@b.c"});
  ASSERT_EQ(s->probes.size(), 2u);
  EXPECT_EQ(s->probes[1].status, ProbeStatus::NoData);
  EXPECT_EQ(s->probes[1].seconds, 5.0);
  EXPECT_EQ(codec::encodeSnapshot(*s), kSnapshotJson);
}

TEST(CodecTest, StatusReadsBackAndEncodesToTheSameText) {
  auto s = codec::decodeStatus(kStatusJson);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->name, "iPad");
  EXPECT_EQ(s->label, "lab");
  EXPECT_EQ(s->location, std::nullopt);
  EXPECT_TRUE(s->connected);
  EXPECT_EQ(s->firstSeen, fromUnixSeconds(1600000000));
  EXPECT_EQ(s->onPower, false);
  EXPECT_EQ(s->backupState, BackupState::Stale);
  ASSERT_EQ(s->conditions.size(), 1u);
  EXPECT_EQ(s->conditions[0].severity, Severity::Critical);
  EXPECT_EQ(s->conditions[0].confidence, Confidence::Inferred);
  EXPECT_EQ(s->conditions[0].since, fromUnixSeconds(1690000000));
  EXPECT_EQ(s->conditions[0].evidence.at("days"), "12");
  EXPECT_EQ(codec::encodeStatus(*s), kStatusJson);
}

TEST(CodecTest, StatusKeepsTheSlot) {
  constexpr const char* kWithSlot =
      R"({"backup_state":"ok","conditions":[],"connected":true,"name":"iPad","slot":{"label":"Cart A / 07","path":"pci-0000:00:14.0-usb-0:2.3.4","port":"1-2.3.4","speed_mbps":1.5},"udid":"U1"})";
  auto s = codec::decodeStatus(kWithSlot);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE(s->slot);
  EXPECT_EQ(*s->slot, (DeviceSlot{"1-2.3.4", "pci-0000:00:14.0-usb-0:2.3.4", "Cart A / 07", 1.5}));
  EXPECT_EQ(codec::encodeStatus(*s), kWithSlot);
  auto bad = codec::decodeStatus(R"({"slot":{"port":7,"speed_mbps":"fast"}})");
  ASSERT_TRUE(bad) << bad.error().message;
  ASSERT_TRUE(bad->slot);
  EXPECT_EQ(bad->slot->port, "");
  EXPECT_EQ(bad->slot->speedMbps, std::nullopt);
}

TEST(CodecTest, BatteryReadingsReadBack) {
  DeviceSnapshot snap;
  snap.identity.udid = "U1";
  snap.powerSource = PowerSourceInfo{};
  snap.powerSource->cycleCount = 1204;
  snap.powerSource->maxCapacityMah = 5705;
  snap.powerSource->maxCapacityKey = "BatteryData.FullChargeCapacity";
  snap.powerSource->healthRatio = 0.75;
  snap.powerSource->temperatureCelsius = 41.5;
  snap.powerSource->currentMa = -120;
  snap.powerSource->chargerWatts = 12.5;
  auto back = codec::decodeSnapshot(codec::encodeSnapshot(snap));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->powerSource);
  EXPECT_EQ(back->powerSource->cycleCount, 1204);
  EXPECT_EQ(back->powerSource->maxCapacityKey, "BatteryData.FullChargeCapacity");
  EXPECT_EQ(back->powerSource->healthRatio, 0.75);
  EXPECT_EQ(back->powerSource->currentMa, -120);
  EXPECT_EQ(back->powerSource->chargerWatts, 12.5);
  EXPECT_FALSE(back->powerSource->designCapacityMah);  // absent stays unknown, not 0

  DeviceStatus st;
  st.udid = "U1";
  st.batteryHealth = 0.75;
  st.batteryCycleCount = 1204;
  st.batteryTemperatureCelsius = 41.5;
  st.batteryCurrentMa = -120;
  auto status = codec::decodeStatus(codec::encodeStatus(st));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->batteryHealth, 0.75);
  EXPECT_EQ(status->batteryCycleCount, 1204);
  EXPECT_EQ(status->batteryTemperatureCelsius, 41.5);
  EXPECT_EQ(status->batteryCurrentMa, -120);
  EXPECT_FALSE(status->chargerWatts);
}

TEST(CodecTest, MissingOrMistypedFieldsReadAsNotKnown) {
  auto s = codec::decodeSnapshot(
      R"({"identity":{"name":7},"trust":"bogus","connected":"yes","probes":[{"status":"?"}]})");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->identity.udid, "");
  EXPECT_EQ(s->identity.name, std::nullopt);
  EXPECT_EQ(s->trust, TrustState::Unknown);
  EXPECT_FALSE(s->connected);
  EXPECT_EQ(s->takenAt, TimePoint{});
  ASSERT_EQ(s->probes.size(), 1u);
  EXPECT_EQ(s->probes[0].status, ProbeStatus::Error);
  auto st = codec::decodeStatus(R"({"backup_state":1})");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->backupState, BackupState::Unknown);
  EXPECT_FALSE(codec::decodeStatus("[1]"));
  EXPECT_EQ(codec::decodeSnapshot("not json").error().code, "db_corrupt");
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "probes/probe_runner.h"

#include <gtest/gtest.h>

#include <map>

#include "fake_session.h"
#include "fixture.h"
#include "support/fake_clock.h"

namespace ibackupmon {
namespace {

using testing::FakeConnector;
using testing::loadFixture;

const ProbeOutcome* find(const DeviceSnapshot& s, const std::string& probe) {
  for (const auto& p : s.probes) {
    if (p.probe == probe) return &p;
  }
  return nullptr;
}

class RunnerTest : public ::testing::Test {
 protected:
  FakeConnector connector;
  ProbeTable table = makeProbeTable();
  FakeClock clock{fromUnixSeconds(1'750'000'000)};
  DeviceRef ref{"UDID-1", 0, false};

  DeviceSnapshot run() { return runProbeCycle(connector, ref, SessionOptions{}, table, clock); }
};

TEST_F(RunnerTest, HealthyDeviceFillsEverySectionInOneSession) {
  auto& d = connector.devices["UDID-1"];
  d.domains[""] = loadFixture("default_domain.plist");
  d.domains["com.apple.mobile.backup"] = loadFixture("backup_ios18.plist");
  d.domains["com.apple.mobile.battery"] = loadFixture("battery.plist");
  d.domains["com.apple.disk_usage"] = loadFixture("disk_usage.plist");
  d.domains["com.apple.mobile.data_sync"] = loadFixture("data_sync.plist");
  d.wifiEntry = loadFixture("wifi_ioreg.plist");
  d.powerSourceEntry = loadFixture("power_source_iphone.plist");
  auto s = run();
  EXPECT_EQ(d.opens, 1);
  EXPECT_EQ(d.reads, 5);
  EXPECT_EQ(s.identity.udid, "UDID-1");
  EXPECT_EQ(s.identity.name, "iPad-Cart3-17");
  EXPECT_EQ(s.trust, TrustState::Trusted);
  EXPECT_TRUE(s.connected);
  EXPECT_EQ(s.takenAt, clock.now());
  ASSERT_TRUE(s.backup && s.battery && s.storage && s.account && s.powerSource);
  EXPECT_EQ(s.wifi, WifiState::Associated);
  ASSERT_EQ(s.probes.size(), table.size());
  for (const auto& p : s.probes) EXPECT_EQ(p.status, ProbeStatus::Ok) << p.probe << p.detail;
}

TEST_F(RunnerTest, OneFailingProbeDoesNotSinkTheCycle) {
  auto& d = connector.devices["UDID-1"];
  d.domains["com.apple.mobile.backup"] = loadFixture("backup_wrong_type.plist");
  d.domainErrors["com.apple.mobile.battery"] = Error{"get_prohibited", "prohibited"};
  d.domainErrors["com.apple.disk_usage"] = Error{"retry", "mux error"};
  d.domains["com.apple.mobile.data_sync"] = loadFixture("data_sync.plist");
  auto s = run();
  // A value of the wrong type loses that key only: the probe read its domain.
  EXPECT_EQ(find(s, "backup")->status, ProbeStatus::Ok);
  ASSERT_EQ(find(s, "backup")->invalid.size(), 1u);
  EXPECT_EQ(find(s, "backup")->invalid[0].key, "CloudBackupEnabled");
  EXPECT_EQ(find(s, "battery")->status, ProbeStatus::NoData);
  EXPECT_EQ(find(s, "battery")->error, "get_prohibited");
  EXPECT_EQ(find(s, "storage")->status, ProbeStatus::Error);
  EXPECT_EQ(find(s, "account")->status, ProbeStatus::Ok);
  EXPECT_EQ(find(s, "wifi")->status, ProbeStatus::NoData);  // no entry: unknown, not broken
  ASSERT_TRUE(s.backup);
  EXPECT_FALSE(s.backup->cloudBackupEnabled);
  EXPECT_TRUE(s.backup->lastCloudBackup);
  EXPECT_FALSE(s.battery);
  EXPECT_TRUE(s.account);
  EXPECT_EQ(s.wifi, WifiState::Unknown);
}

// Garbage in one key of a domain is reported with the probe's outcome (domain, key, type sent),
// and every valid key of the same domain is still recorded.
TEST_F(RunnerTest, InvalidValuesAreReportedAndTheValidKeysKept) {
  auto& d = connector.devices["UDID-1"];
  d.domains[""] = PlistDict{{"DeviceName", PlistValue(PlistData{"\x1b\0"})},
                            {"ProductType", PlistValue("iPhone13,2")}};
  d.domains["com.apple.mobile.backup"] = PlistDict{{"LastCloudBackupDate", PlistValue("yesterday")},
                                                   {"CloudBackupEnabled", PlistValue(true)}};
  d.domains["com.apple.mobile.battery"] = PlistDict{{"BatteryCurrentCapacity", PlistValue(250)},
                                                    {"ExternalConnected", PlistValue(true)}};
  d.domains["com.apple.disk_usage"] = PlistDict{{"TotalDataAvailable", PlistValue(-5)},
                                                {"TotalDiskCapacity", PlistValue(64000000000LL)}};
  auto s = run();
  EXPECT_EQ(s.identity.productType, "iPhone13,2");
  EXPECT_FALSE(s.identity.name);
  ASSERT_TRUE(s.backup && s.battery && s.storage);
  EXPECT_EQ(s.backup->cloudBackupEnabled, true);
  EXPECT_FALSE(s.backup->lastCloudBackup);
  EXPECT_EQ(s.battery->externalConnected, true);
  EXPECT_FALSE(s.battery->level);
  EXPECT_EQ(s.storage->totalDiskCapacity, 64000000000ULL);
  EXPECT_FALSE(s.storage->totalDataAvailable);
  const std::map<std::string, std::pair<std::string, std::string>> expected{
      {"identity", {"DeviceName", "data"}},
      {"backup", {"LastCloudBackupDate", "string"}},
      {"battery", {"BatteryCurrentCapacity", "integer"}},
      {"storage", {"TotalDataAvailable", "integer"}}};
  for (const auto& [probe, keyType] : expected) {
    const ProbeOutcome* o = find(s, probe);
    ASSERT_NE(o, nullptr) << probe;
    EXPECT_EQ(o->status, ProbeStatus::Ok) << probe << ": " << o->detail;
    ASSERT_EQ(o->invalid.size(), 1u) << probe;
    EXPECT_EQ(o->invalid[0].key, keyType.first);
    EXPECT_EQ(o->invalid[0].type, keyType.second);
    EXPECT_NE(o->invalid[0].detail.find(keyType.first), std::string::npos);
  }
}

TEST_F(RunnerTest, SessionErrorsBecomeTrustStates) {
  const std::pair<const char*, TrustState> cases[] = {
      {"passcode_locked", TrustState::PasscodeLocked},
      {"trust_pending", TrustState::TrustPending},
      {"trust_denied", TrustState::TrustDenied},
      {"not_paired", TrustState::NotPaired},
  };
  for (const auto& [code, state] : cases) {
    connector.devices["UDID-1"].openError = Error{code, "x"};
    auto s = run();
    EXPECT_EQ(s.trust, state) << code;
    ASSERT_EQ(s.probes.size(), 1u);
    EXPECT_EQ(s.probes[0].probe, "trust");
    EXPECT_EQ(s.probes[0].status, ProbeStatus::NoData);
    EXPECT_EQ(s.probes[0].error, code);
    EXPECT_FALSE(s.backup);
  }
}

TEST_F(RunnerTest, OtherSessionErrorIsAnErrorWithUnknownTrust) {
  connector.devices["UDID-1"].openError = Error{"retry", "receive timeout"};
  auto s = run();
  EXPECT_EQ(s.trust, TrustState::Unknown);
  ASSERT_EQ(s.probes.size(), 1u);
  EXPECT_EQ(s.probes[0].status, ProbeStatus::Error);
  EXPECT_EQ(s.probes[0].error, "retry");
}

// The connection drops at the first GetValue of the session: the session opened (trust ok) but
// nothing was read, so the cycle did not read the device.
TEST_F(RunnerTest, SessionWhoseEveryReadFailsDidNotReadTheDevice) {
  auto& d = connector.devices["UDID-1"];
  for (const char* domain : {"", "com.apple.mobile.backup", "com.apple.mobile.battery",
                             "com.apple.disk_usage", "com.apple.mobile.data_sync"}) {
    d.domainErrors[domain] = Error{"retry", "connection closed"};
  }
  d.wifiError = Error{"retry", "connection closed"};
  auto s = run();
  EXPECT_EQ(s.trust, TrustState::Trusted);
  EXPECT_EQ(find(s, "trust")->status, ProbeStatus::Ok);
  EXPECT_FALSE(deviceAnswered(s));
  // One domain the device refuses is still an answer.
  d.domainErrors["com.apple.mobile.battery"] = Error{"get_prohibited", "prohibited"};
  EXPECT_TRUE(deviceAnswered(run()));
}

}  // namespace
}  // namespace ibackupmon

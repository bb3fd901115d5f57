// SPDX-License-Identifier: Apache-2.0
// Every probe fetched by the real libimobiledevice 1.3.0 from ibackupmon-sim, healthy and faulty.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "device/lockdown_connector.h"
#include "device/usbmuxd_events.h"
#include "probes/probe_runner.h"
#include "sim_fixture.h"

namespace ibackupmon {
namespace {

using testkit::SimConfig;
using testkit::SimProcess;

const ProbeOutcome* outcome(const DeviceSnapshot& s, const std::string& probe) {
  for (const auto& p : s.probes) {
    if (p.probe == probe) return &p;
  }
  return nullptr;
}

class ProbeFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim = std::make_unique<SimProcess>(SimConfig{.generate = 40, .seed = 7});
    ASSERT_TRUE(sim->start()) << sim->error();
    sim->exportAddress();
  }
  std::string first(const std::string& situation) {
    auto u = sim->udidsWith(situation);
    if (u.empty()) ADD_FAILURE() << "the generated fleet has no " << situation << " device";
    return u.empty() ? std::string() : u.front();
  }
  DeviceSnapshot probe(const std::string& udid, bool pair = true, bool network = false) {
    return runProbeCycle(connector, DeviceRef{udid, 0, network}, SessionOptions{pair}, table,
                         clock);
  }

  std::unique_ptr<SimProcess> sim;
  LockdownConnector connector;
  ProbeTable table = makeProbeTable();
  SystemClock clock;
};

TEST_F(ProbeFetchTest, HealthyDeviceEveryProbeInOneSession) {
  const std::string udid = first("healthy");
  const auto s = probe(udid);
  for (const auto& p : s.probes) {
    EXPECT_EQ(p.status, ProbeStatus::Ok) << p.probe << ": " << p.error << " " << p.detail;
  }
  EXPECT_EQ(s.trust, TrustState::Trusted);
  EXPECT_TRUE(s.identity.name && !s.identity.name->empty());
  EXPECT_TRUE(s.identity.productType && s.identity.productVersion && s.identity.serial);
  ASSERT_TRUE(s.identity.deviceClock);
  EXPECT_LT(std::abs(toUnixSeconds(*s.identity.deviceClock) - toUnixSeconds(clock.now())), 60);
  ASSERT_TRUE(s.backup && s.backup->lastCloudBackup);
  EXPECT_EQ(s.backup->cloudBackupEnabled, true);
  EXPECT_LT(clock.now() - *s.backup->lastCloudBackup, std::chrono::hours(21));
  ASSERT_TRUE(s.battery && s.battery->level);
  EXPECT_EQ(s.battery->externalConnected, true);
  ASSERT_TRUE(s.storage && s.storage->totalDataAvailable);
  ASSERT_TRUE(s.account);
  EXPECT_EQ(s.account->icloudSignedIn, true);
  EXPECT_EQ(s.wifi, WifiState::Associated);
  // One lockdown session for the whole cycle, not one per key.
  EXPECT_EQ(sim->countEvents(udid, {"\"request\":\"StartSession\""}), 1u);
  // Five domain reads plus the handshake's own GetValue(ProductVersion).
  EXPECT_EQ(sim->countEvents(udid, {"\"request\":\"GetValue\""}), 6u);
}

TEST_F(ProbeFetchTest, SituationsReadAsTheDeviceStatesThem) {
  auto power = probe(first("not_on_power"));
  ASSERT_TRUE(power.battery);
  EXPECT_EQ(power.battery->externalConnected, false);
  auto off = probe(first("icloud_backup_off"));
  ASSERT_TRUE(off.backup);
  EXPECT_EQ(off.backup->cloudBackupEnabled, false);
  auto enc = probe(first("encryption_no_password"));
  ASSERT_TRUE(enc.backup);
  EXPECT_EQ(enc.backup->requiresEncryption, true);
  EXPECT_EQ(enc.backup->willEncrypt, false);
  auto wifi = probe(first("wifi_disconnected"));
  EXPECT_EQ(wifi.wifi, WifiState::NotAssociated);
  auto out = probe(first("icloud_signed_out"));
  ASSERT_TRUE(out.account);
  EXPECT_NE(out.account->icloudSignedIn, true);
  auto comp = probe(first("computer_backup_only"));
  ASSERT_TRUE(comp.backup && comp.backup->lastComputerBackup);
  EXPECT_EQ(comp.backup->lastComputerBackupTz, "GMT-4");
}

TEST_F(ProbeFetchTest, LockAndTrustErrorsBecomeStates) {
  EXPECT_EQ(probe(first("passcode_locked")).trust, TrustState::PasscodeLocked);
  EXPECT_EQ(probe(first("trust_pending")).trust, TrustState::TrustPending);
  EXPECT_EQ(probe(first("trust_denied")).trust, TrustState::TrustDenied);
  EXPECT_EQ(probe(first("invalid_host_id")).trust, TrustState::NotPaired);
}

TEST_F(ProbeFetchTest, PairFalseNeverPairs) {
  const std::string udid = first("not_paired");
  const auto s = probe(udid, /*pair=*/false);
  EXPECT_EQ(s.trust, TrustState::NotPaired);
  EXPECT_EQ(sim->countEvents(udid, {"\"request\":\"Pair\""}), 0u) << "a Pair request was sent";
  const auto paired = probe(udid, /*pair=*/true);  // as usbmuxd's preflight would
  EXPECT_EQ(paired.trust, TrustState::Trusted);
}

// libimobiledevice's handshake pairs whenever it cannot read the pair record; a trusted device
// would show the Trust dialog again. The connector must treat an unreadable record as "try later".
TEST_F(ProbeFetchTest, UnreadablePairRecordNeverPairs) {
  const std::string udid = first("healthy");
  ASSERT_EQ(sim->ctl({"fault", udid, "pair_record_unreadable"}).exitCode, 0);
  const auto s = probe(udid, /*pair=*/true);
  EXPECT_EQ(s.trust, TrustState::Unknown);
  ASSERT_EQ(s.probes.size(), 1u);
  EXPECT_EQ(s.probes[0].status, ProbeStatus::Error);
  EXPECT_EQ(s.probes[0].error, "retry");
  EXPECT_EQ(sim->countEvents(udid, {"\"ReadPairRecord\""}), 1u)
      << "usbmuxd was not asked for the record";
  EXPECT_EQ(sim->countEvents(udid, {"\"request\":\"Pair\""}), 0u) << "a Pair request was sent";
  EXPECT_EQ(sim->countEvents(udid, {"SavePairRecord"}), 0u) << "a new pair record was saved";

  ASSERT_EQ(sim->ctl({"fault", udid, "clear", "pair_record_unreadable"}).exitCode, 0);
  EXPECT_EQ(probe(udid, /*pair=*/true).trust, TrustState::Trusted);
  EXPECT_EQ(sim->countEvents(udid, {"\"request\":\"Pair\""}), 0u)
      << "the existing record was not used";
}

TEST_F(ProbeFetchTest, ProhibitedDomainIsNoDataNotError) {
  const auto s = probe(first("prohibited_domain"));
  const auto* b = outcome(s, "backup");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->status, ProbeStatus::NoData);
  EXPECT_EQ(b->error, "get_prohibited");
  EXPECT_FALSE(s.backup);
  EXPECT_TRUE(s.battery);  // the other probes still ran
}

TEST_F(ProbeFetchTest, ListerSeesTheFleetAndNetworkFlag) {
  UsbmuxdLister lister;
  auto devices = lister.list();
  ASSERT_TRUE(devices) << devices.error().message;
  EXPECT_GE(devices->size(), 30u);
  const std::string net = first("network_device");
  bool found = false;
  for (const auto& d : *devices) {
    if (d.udid == net) found = d.network;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace ibackupmon

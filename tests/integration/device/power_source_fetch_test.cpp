// SPDX-License-Identifier: Apache-2.0
// The battery's IORegistry entry read by the real libimobiledevice 1.3.0 from ibackupmon-sim.
#include <gtest/gtest.h>

#include <sstream>

#include "device/lockdown_connector.h"
#include "probes/probe_runner.h"
#include "sim_fixture.h"

namespace ibackupmon {
namespace {

using testkit::SimConfig;
using testkit::SimProcess;

class PowerSourceFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim = std::make_unique<SimProcess>(
        SimConfig{.fleet = std::string(IBACKUPMON_SOURCE_DIR) +
                           "/tests/integration/device/battery_fleet.toml"});
    ASSERT_TRUE(sim->start()) << sim->error();
    sim->exportAddress();
  }
  PowerSourceInfo read(const std::string& udid) {
    auto s =
        runProbeCycle(connector, DeviceRef{udid, 0, false}, SessionOptions{true}, table, clock);
    for (const auto& p : s.probes) {
      if (p.probe == "power_source") {
        EXPECT_EQ(p.status, ProbeStatus::Ok) << p.error << " " << p.detail;
        EXPECT_TRUE(p.invalid.empty()) << p.invalid.front().detail;
      }
    }
    if (!s.powerSource) ADD_FAILURE() << udid << ": no power source read";
    return s.powerSource.value_or(PowerSourceInfo{});
  }
  std::unique_ptr<SimProcess> sim;
  LockdownConnector connector;
  ProbeTable table = makeProbeTable();
  SystemClock clock;
};

TEST_F(PowerSourceFetchTest, HealthyDefaultsAreRealistic) {
  const std::string udid = "00008110-00000000000BA701";
  const auto p = read(udid);
  EXPECT_EQ(p.designCapacityMah, 3227);  // iPhone14,7
  EXPECT_EQ(p.maxCapacityKey, "AppleRawMaxCapacity");
  ASSERT_TRUE(p.healthRatio);
  EXPECT_GE(*p.healthRatio, 0.88);
  EXPECT_LT(*p.healthRatio, 0.98);
  ASSERT_TRUE(p.temperatureCelsius && p.cycleCount && p.voltageMv && p.chargerWatts);
  EXPECT_GE(*p.temperatureCelsius, 29.0);
  EXPECT_LT(*p.temperatureCelsius, 32.0);
  EXPECT_EQ(p.externalConnected, true);
  // One class query, no query by name.
  EXPECT_EQ(sim->countEvents(udid, {"IOPMPowerSource"}), 1u);
}

// The Wi-Fi entry and the battery entry come over one diagnostics_relay connection: one
// StartService and one TLS handshake per cycle for both.
TEST_F(PowerSourceFetchTest, OneDiagnosticsConnectionServesBothEntries) {
  const std::string udid = "00008110-00000000000BA701";
  auto s = runProbeCycle(connector, DeviceRef{udid, 0, false}, SessionOptions{true}, table, clock);
  EXPECT_EQ(s.wifi, WifiState::Associated);
  ASSERT_TRUE(s.powerSource);
  EXPECT_TRUE(s.powerSource->cycleCount);
  EXPECT_EQ(sim->countEvents(udid, {"\"StartService\"", "diagnostics_relay"}), 1u);
  EXPECT_EQ(sim->countEvents(udid, {"\"IORegistry\""}), 2u);
}

// A device whose diagnostics_relay closes the connection after one answer: the battery entry is
// asked for again on a connection of its own, not lost.
TEST_F(PowerSourceFetchTest, ADiagnosticsConnectionClosedAfterOneAnswerIsOpenedAgain) {
  const std::string udid = "00008110-00000000000BA701";
  ASSERT_EQ(sim->ctl({"fault", udid, "diagnostics_one_request"}).exitCode, 0);
  auto s = runProbeCycle(connector, DeviceRef{udid, 0, false}, SessionOptions{true}, table, clock);
  EXPECT_EQ(s.wifi, WifiState::Associated);
  ASSERT_TRUE(s.powerSource) << "the battery entry was lost with the closed connection";
  EXPECT_EQ(s.powerSource->designCapacityMah, 3227);
  EXPECT_EQ(sim->countEvents(udid, {"\"StartService\"", "diagnostics_relay"}), 2u);
}

TEST_F(PowerSourceFetchTest, WornIpadWithoutRawMaxReadsTheNestedFullChargeCapacity) {
  const auto p = read("00008110-00000000000BA702");
  EXPECT_EQ(p.maxCapacityKey, "BatteryData.FullChargeCapacity");
  EXPECT_EQ(p.maxCapacityMah, 5705);
  EXPECT_EQ(p.designCapacityMah, 7606);
  EXPECT_EQ(p.cycleCount, 1204);
  ASSERT_TRUE(p.healthRatio);
  EXPECT_NEAR(*p.healthRatio, 0.75, 0.001);
}

TEST_F(PowerSourceFetchTest, HotBatteryAndTwosComplementAmperage) {
  const auto hot = read("00008110-00000000000BA703");
  EXPECT_EQ(hot.temperatureCelsius, 41.5);
  const auto weak = read("00008110-00000000000BA704");
  EXPECT_EQ(weak.currentMa, -120);  // served as 2^64 - 120
  EXPECT_EQ(weak.charging, false);
  EXPECT_EQ(weak.externalConnected, true);
  const auto unplugged = read("00008110-00000000000BA706");
  EXPECT_EQ(unplugged.currentMa, -310);
  EXPECT_EQ(unplugged.externalConnected, false);
  EXPECT_FALSE(unplugged.chargerWatts);
}

TEST_F(PowerSourceFetchTest, ACtlSetChangesTheEntryAtOnce) {
  const std::string udid = "00008110-00000000000BA701";
  auto r = sim->ctl({"set", udid, "IOPMPowerSource", "Temperature", "4400"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(read(udid).temperatureCelsius, 44.0);
}

}  // namespace
}  // namespace ibackupmon

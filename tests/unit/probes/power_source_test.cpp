// SPDX-License-Identifier: Apache-2.0
// The battery's IORegistry entry: keys, units, fallbacks and hostile types.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "fake_session.h"
#include "fixture.h"
#include "probes/facets.h"
#include "probes/probe_runner.h"
#include "support/fake_clock.h"

namespace ibackupmon {
namespace {

using testing::FakeConnector;
using testing::loadFixture;

bool hasInvalid(const std::vector<InvalidValue>& invalid, const std::string& key) {
  return std::any_of(invalid.begin(), invalid.end(),
                     [&](const InvalidValue& v) { return v.key == key; });
}

TEST(ParsePowerSource, SmartBatteryRawMaxWinsAndTwosComplementAmperageIsNegative) {
  auto p = parsePowerSource(loadFixture("power_source_iphone.plist"));
  ASSERT_TRUE(p.invalid.empty()) << p.invalid[0].detail;
  EXPECT_EQ(p.value.cycleCount, 512);
  EXPECT_EQ(p.value.designCapacityMah, 3227);
  EXPECT_EQ(p.value.maxCapacityMah, 2485);  // not NominalChargeCapacity, not BatteryData's 9999
  EXPECT_EQ(p.value.maxCapacityKey, "AppleRawMaxCapacity");
  ASSERT_TRUE(p.value.healthRatio);
  EXPECT_NEAR(*p.value.healthRatio, 2485.0 / 3227.0, 1e-9);
  ASSERT_TRUE(p.value.temperatureCelsius);
  EXPECT_DOUBLE_EQ(*p.value.temperatureCelsius, 29.91);
  EXPECT_EQ(p.value.currentMa, -450);  // sent as 18446744073709551166
  EXPECT_EQ(p.value.voltageMv, 3912);
  EXPECT_EQ(p.value.charging, false);
  EXPECT_EQ(p.value.externalConnected, false);
  EXPECT_EQ(p.value.fullyCharged, false);
  EXPECT_FALSE(p.value.chargerWatts);  // no AdapterDetails: unknown, not 0
}

TEST(ParsePowerSource, IpadWithoutRawMaxUsesBatteryDataAndIgnoresPercentages) {
  auto p = parsePowerSource(loadFixture("power_source_ipad_nested.plist"));
  ASSERT_TRUE(p.invalid.empty()) << p.invalid[0].detail;
  EXPECT_EQ(p.value.maxCapacityMah, 5705);  // MaxCapacity 100 is a percentage, never mAh
  EXPECT_EQ(p.value.maxCapacityKey, "BatteryData.FullChargeCapacity");
  EXPECT_EQ(p.value.designCapacityMah, 7606);
  EXPECT_EQ(p.value.cycleCount, 1204);
  ASSERT_TRUE(p.value.healthRatio);
  EXPECT_NEAR(*p.value.healthRatio, 5705.0 / 7606.0, 1e-9);
  EXPECT_EQ(p.value.currentMa, 0);
  EXPECT_EQ(p.value.fullyCharged, true);
  EXPECT_EQ(p.value.chargerWatts, 20.0);
  EXPECT_FALSE(p.value.voltageMv);
}

TEST(ParsePowerSource, OlderChargerNominalCapacityClampedHealthAndRealWatts) {
  auto p = parsePowerSource(loadFixture("power_source_charger_old.plist"));
  ASSERT_TRUE(p.invalid.empty()) << p.invalid[0].detail;
  EXPECT_EQ(p.value.maxCapacityKey, "NominalChargeCapacity");
  EXPECT_EQ(p.value.healthRatio, 1.5);  // 1600 / 1000 clamped
  EXPECT_DOUBLE_EQ(*p.value.temperatureCelsius, -5.5);
  EXPECT_EQ(p.value.currentMa, 1350);
  EXPECT_EQ(p.value.charging, true);  // integer 1 counts as a flag
  EXPECT_EQ(p.value.chargerWatts, 12.5);
  EXPECT_FALSE(p.value.externalConnected);
}

TEST(ParsePowerSource, EmptyEntryIsAllUnknownNeverZero) {
  auto p = parsePowerSource(PlistDict{});
  EXPECT_TRUE(p.invalid.empty());
  EXPECT_FALSE(p.value.cycleCount || p.value.designCapacityMah || p.value.maxCapacityMah ||
               p.value.healthRatio || p.value.temperatureCelsius || p.value.currentMa ||
               p.value.voltageMv || p.value.charging || p.value.externalConnected ||
               p.value.fullyCharged || p.value.chargerWatts);
}

TEST(ParsePowerSource, MaxWithoutDesignHasNoHealth) {
  auto p = parsePowerSource(PlistDict{{"AppleRawMaxCapacity", PlistValue(2000)}});
  EXPECT_EQ(p.value.maxCapacityMah, 2000);
  EXPECT_FALSE(p.value.healthRatio);
}

TEST(ParsePowerSource, HostileTypesAreInvalidValuesAndNothingElse) {
  auto p = parsePowerSource(loadFixture("power_source_hostile.plist"));
  for (const char* key :
       {"CycleCount", "DesignCapacity", "AppleRawMaxCapacity", "NominalChargeCapacity",
        "Temperature", "Voltage", "InstantAmperage", "IsCharging", "ExternalConnected",
        "FullyCharged", "AdapterDetails", "BatteryData"}) {
    EXPECT_TRUE(hasInvalid(p.invalid, key)) << key;
  }
  for (const auto& bad : p.invalid) {
    EXPECT_EQ(bad.detail.find('\n'), std::string::npos) << "device text in " << bad.detail;
    EXPECT_EQ(bad.detail.find("X-Injected"), std::string::npos) << bad.detail;
  }
  EXPECT_FALSE(p.value.cycleCount || p.value.designCapacityMah || p.value.maxCapacityMah ||
               p.value.healthRatio || p.value.temperatureCelsius || p.value.currentMa ||
               p.value.voltageMv || p.value.charging || p.value.externalConnected ||
               p.value.fullyCharged || p.value.chargerWatts);
}

TEST(ParsePowerSource, NestedValuesOfTheWrongTypeAreNamed) {
  auto p = parsePowerSource(
      PlistDict{{"AdapterDetails", PlistValue(PlistDict{{"Watts", PlistValue("20W")}})},
                {"BatteryData", PlistValue(PlistDict{{"FullChargeCapacity", PlistValue(-1)}})}});
  EXPECT_TRUE(hasInvalid(p.invalid, "AdapterDetails.Watts"));
  EXPECT_TRUE(hasInvalid(p.invalid, "FullChargeCapacity"));
  EXPECT_FALSE(p.value.chargerWatts || p.value.maxCapacityMah);
}

TEST(ParsePowerSource, NonFiniteWattsAreInvalidNotAReading) {
  for (double watts :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    auto p = parsePowerSource(
        PlistDict{{"AdapterDetails", PlistValue(PlistDict{{"Watts", PlistValue(watts)}})}});
    EXPECT_TRUE(hasInvalid(p.invalid, "AdapterDetails.Watts")) << watts;
    EXPECT_FALSE(p.value.chargerWatts) << watts;
  }
}

TEST(ReadPowerSource, OneCycleReadsTheEntryOrReportsNoData) {
  FakeConnector connector;
  FakeClock clock{fromUnixSeconds(1'750'000'000)};
  const ProbeTable table = makeProbeTable();
  auto& d = connector.devices["UDID-1"];
  d.powerSourceEntry = loadFixture("power_source_iphone.plist");
  auto s = runProbeCycle(connector, DeviceRef{"UDID-1", 0, false}, SessionOptions{}, table, clock);
  ASSERT_TRUE(s.powerSource);
  EXPECT_EQ(s.powerSource->cycleCount, 512);

  d.powerSourceEntry.reset();
  s = runProbeCycle(connector, DeviceRef{"UDID-1", 0, false}, SessionOptions{}, table, clock);
  EXPECT_FALSE(s.powerSource);
  const auto it = std::find_if(s.probes.begin(), s.probes.end(),
                               [](const ProbeOutcome& o) { return o.probe == "power_source"; });
  ASSERT_NE(it, s.probes.end());
  EXPECT_EQ(it->status, ProbeStatus::NoData);
  EXPECT_EQ(it->error, "no_entry");
}

}  // namespace
}  // namespace ibackupmon

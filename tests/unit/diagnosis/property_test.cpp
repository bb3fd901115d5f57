// SPDX-License-Identifier: Apache-2.0
// Randomised partial inputs: diagnosis never crashes and keeps its invariants. The seed is fixed
// unless IBACKUPMON_TEST_SEED says otherwise, and printed (tests/support/test_seed.h).
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "core/device_state.h"
#include "diagnosis/condition_catalog.h"
#include "diagnosis/status_builder.h"
#include "fixtures.h"
#include "support/test_seed.h"

namespace ibackupmon::testing {
namespace {

class Randomizer {
 public:
  explicit Randomizer(std::uint32_t seed) : rng_(seed) {}
  bool coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }
  std::optional<bool> maybeBool() { return coin() ? std::optional<bool>(coin()) : std::nullopt; }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::optional<TimePoint> maybeTime(TimePoint now) {
    if (coin()) return std::nullopt;
    return now - hours(between(-48, 24 * 400));
  }
  template <class T>
  void maybeDrop(std::optional<T>& v) {
    if (between(0, 3) == 0) v.reset();
  }

  DiagnosisInput input(TimePoint now) {
    auto in = healthyDevice(now);
    auto& s = *in.snapshot;
    s.connected = coin();
    in.history.connected = coin();
    s.trust = static_cast<TrustState>(between(0, 5));
    s.wifi = static_cast<WifiState>(between(0, 2));
    s.backup->cloudBackupEnabled = maybeBool();
    s.backup->lastCloudBackup = maybeTime(now);
    s.backup->lastComputerBackup = maybeTime(now);
    s.backup->requiresEncryption = maybeBool();
    s.backup->willEncrypt = maybeBool();
    s.battery->level = between(0, 100);
    s.battery->externalConnected = maybeBool();
    s.battery->charging = maybeBool();
    s.identity.productVersion = coin() ? "17.5.1" : "junk";
    s.identity.deviceClock = now + minutes(between(-600, 600));
    maybeDrop(s.backup);
    maybeDrop(s.battery);
    maybeDrop(s.storage);
    maybeDrop(s.account);
    maybeDrop(in.snapshot);
    maybeDrop(in.history.lastSnapshot);
    in.history.lastCloudBackup = maybeTime(now);
    in.history.lastComputerBackup = maybeTime(now);
    in.history.firstSeen = maybeTime(now);
    in.history.lastSeen = maybeTime(now);
    in.history.consecutiveProbeFailures = between(0, 6);
    if (coin()) in.external.newestIosVersion = coin() ? "18.2" : "";
    if (coin()) in.external.outages.push_back({"iCloud Backup", "Outage", "m", maybeTime(now)});
    return in;
  }

  DiagnosisConfig config() {
    DiagnosisConfig c;
    c.expect = static_cast<BackupExpect>(between(0, 2));
    if (coin()) c.iosMinimumVersion = "18.0";
    return c;
  }

 private:
  std::mt19937 rng_;
};

void checkInvariants(const DeviceStatus& s, int failures) {
  std::set<std::string> ids;
  for (std::size_t i = 0; i < s.conditions.size(); ++i) {
    const auto& c = s.conditions[i];
    const auto* def = findConditionDef(c.id);
    ASSERT_NE(def, nullptr) << c.id;
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate " << c.id;
    if (c.id != "backup_stale") {
      EXPECT_EQ(c.severity, def->severity) << c.id;
    }
    if (i > 0) {
      EXPECT_GE(s.conditions[i - 1].severity, c.severity) << "not worst first";
    }
  }
  // Never healthy by default: "ok" needs a confirmed recent backup.
  if (deviceState(s) == DeviceState::Ok) {
    EXPECT_EQ(s.backupState, BackupState::Ok);
  }
  EXPECT_EQ(s.backupState == BackupState::Stale, ids.count("backup_stale") == 1);
  // A probe that keeps failing on a device we know nothing about is said, not left silent.
  if (s.backupState == BackupState::Unknown && s.connected && failures > 0) {
    EXPECT_FALSE(ids.empty()) << "unknown after " << failures << " failed cycles, no condition";
  }
  if (ids.count("stale_unexplained")) {
    EXPECT_TRUE(ids.count("backup_stale"));
  }
}

TEST(DiagnosisProperties, RandomPartialInputsKeepInvariants) {
  const auto s = testSeed();
  Randomizer r(s);
  const TimePoint now = fixtureNow();
  for (int i = 0; i < 2000; ++i) {
    const auto in = r.input(now);
    const auto config = r.config();
    checkInvariants(diagnoseStatus(in, config, now), in.history.consecutiveProbeFailures);
    if (::testing::Test::HasFailure()) {
      FAIL() << "IBACKUPMON_TEST_SEED=" << s << " iteration " << i;
    }
  }
}

}  // namespace
}  // namespace ibackupmon::testing

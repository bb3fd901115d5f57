// SPDX-License-Identifier: Apache-2.0
// backup_stale, the 180-day note, backup state, since-keeping and evidence pass-through.
#include <algorithm>

#include <gtest/gtest.h>

#include "fixtures.h"

namespace ibackupmon::testing {
namespace {

std::vector<Condition> run(const DiagnosisInput& in, const DiagnosisConfig& c = defaultConfig()) {
  return diagnose(in, c, fixtureNow());
}

TEST(BackupStale, WarningWithSinceAtLastBackupPlusStaleAfter) {
  auto in = healthyDevice();
  const TimePoint last = fixtureNow() - days(3);
  setLastCloudBackup(in, last);
  const auto cs = run(in);
  const auto c = conditionIn(cs, "backup_stale");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->since, last + hours(36));
  EXPECT_EQ(c->evidence.at("LastCloudBackupDate"), "2026-11-21T00:00:00Z");
  EXPECT_EQ(c->evidence.at("expect"), "icloud");
  EXPECT_EQ(c->evidence.at("age"), "3d 0h");
  EXPECT_EQ(c->evidence.count("LastiTunesBackupDate"), 0u);
  EXPECT_EQ(c->evidence.count("icloud_backup_deletion"), 0u);
}

TEST(BackupStale, JustBeforeStaleAfterIsOk) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - hours(36) + std::chrono::seconds(1));
  EXPECT_FALSE(conditionIn(run(in), "backup_stale"));
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Ok);
  setLastCloudBackup(in, fixtureNow() - hours(36));
  EXPECT_TRUE(conditionIn(run(in), "backup_stale"));
}

TEST(BackupStale, CriticalFromCriticalAfter) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(7) + std::chrono::seconds(1));
  EXPECT_EQ(conditionIn(run(in), "backup_stale")->severity, Severity::Warning);
  setLastCloudBackup(in, fixtureNow() - days(7));
  EXPECT_EQ(conditionIn(run(in), "backup_stale")->severity, Severity::Critical);
}

TEST(BackupStale, AFreshLocalBackupCapsItAtWarningAndSaysTheDataIsSafe) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(9));
  in.localBackup = LocalBackupFacts{fixtureNow() - hours(2), 4'100'000'000, 0, "", {}};
  auto c = conditionIn(run(in), "backup_stale");
  ASSERT_TRUE(c) << "iCloud is still stale: the condition stays";
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->evidence.at("local_backup"), "2026-11-23T22:00:00Z");
  EXPECT_EQ(c->evidence.at("local_backup_bytes"), "4100000000");
  EXPECT_NE(c->summary.find("safe on this host since 2026-11-23T22:00:00Z (4.1 GB)"),
            std::string::npos)
      << c->summary;

  // Older than stale_after: no longer a safety net worth the name.
  in.localBackup->finishedAt = fixtureNow() - hours(36);
  c = conditionIn(run(in), "backup_stale");
  EXPECT_EQ(c->severity, Severity::Critical);
  EXPECT_EQ(c->evidence.count("local_backup"), 0u);
}

TEST(BackupStale, NearApplesDeletionRuleALocalBackupDoesNotCapIt) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(150));
  in.localBackup = LocalBackupFacts{fixtureNow() - hours(2), std::nullopt, 0, "", {}};
  const auto c = conditionIn(run(in), "backup_stale");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Critical);
  EXPECT_TRUE(c->evidence.count("local_backup")) << "still said";
}

TEST(LocalBackupFailing, TwoFailedRunsInARowForAStaleDevice) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(3));
  in.localBackup =
      LocalBackupFacts{std::nullopt, std::nullopt, 1, "disk_space", fixtureNow() - hours(1)};
  EXPECT_FALSE(conditionIn(run(in), "local_backup_failing")) << "one failure is not a pattern";
  in.localBackup->failuresInRow = 2;
  const auto c = conditionIn(run(in), "local_backup_failing");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->evidence.at("failures_in_row"), "2");
  EXPECT_EQ(c->evidence.at("reason"), "disk_space");
  EXPECT_EQ(c->evidence.at("last_success"), "never");
  setLastCloudBackup(in, fixtureNow() - hours(1));
  EXPECT_FALSE(conditionIn(run(in), "local_backup_failing")) << "not stale: not open";
}

TEST(BackupStale, NeverBackedUpCountsFromFirstSeen) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = fixtureNow() - days(5);
  const auto cs = run(in);
  const auto c = conditionIn(cs, "backup_stale");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->since, fixtureNow() - days(5) + hours(36));
  EXPECT_EQ(c->evidence.at("LastCloudBackupDate"), "never");
  EXPECT_EQ(c->evidence.at("first_seen"), "2026-11-19T00:00:00Z");
  EXPECT_NE(c->summary.find("Never"), std::string::npos);
}

TEST(BackupStale, NeverBackedUpWithinGraceIsUnknownNotOk) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = fixtureNow() - hours(2);
  EXPECT_FALSE(conditionIn(run(in), "backup_stale"));
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Unknown);
}

TEST(BackupStale, ComputerExpectUsesComputerDateOnly) {
  auto in = healthyDevice();
  auto config = defaultConfig();
  config.expect = BackupExpect::Computer;
  setLastComputerBackup(in, fixtureNow() - days(2));
  const auto cs = run(in, config);
  const auto c = conditionIn(cs, "backup_stale");
  ASSERT_TRUE(c);  // the fresh iCloud backup does not count
  EXPECT_EQ(c->evidence.at("LastiTunesBackupDate"), "2026-11-22T00:00:00Z");
  EXPECT_EQ(c->evidence.count("LastCloudBackupDate"), 0u);
  EXPECT_NE(c->fix.find("idevicebackup2"), std::string::npos);  // computer fix steps
}

TEST(BackupStale, EitherTakesTheNewerKind) {
  auto in = healthyDevice();
  auto config = defaultConfig();
  config.expect = BackupExpect::Either;
  setLastCloudBackup(in, fixtureNow() - days(9));
  setLastComputerBackup(in, fixtureNow() - days(2));
  EXPECT_EQ(countedBackup(in, BackupExpect::Either), fixtureNow() - days(2));
  const auto c = conditionIn(run(in, config), "backup_stale");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);  // 2 days, not 9
  EXPECT_EQ(c->since, fixtureNow() - days(2) + hours(36));
}

TEST(BackupStale, IcloudFixStepsAreTheNineInOrderWhenNothingRulesOneOut) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(3));
  setCloudEnabled(in, std::nullopt);
  in.snapshot->wifi = WifiState::Unknown;
  in.snapshot->battery->externalConnected.reset();
  const auto fix = conditionIn(run(in), "backup_stale")->fix;
  const auto on = fix.find("1. Turn on iCloud Backup");
  const auto update = fix.find("9. Update iOS");
  ASSERT_NE(on, std::string::npos) << fix;
  ASSERT_NE(update, std::string::npos) << fix;
  EXPECT_LT(on, update);
  for (int step = 2; step <= 9; ++step) {
    EXPECT_NE(fix.find("\n" + std::to_string(step) + ". "), std::string::npos) << step;
  }
  EXPECT_EQ(fix.find("Left out"), std::string::npos) << fix;
}

TEST(BackupStale, FixLeavesOutWhatTheEvidenceRulesOutAndSaysWhy) {
  auto in = healthyDevice();  // iCloud Backup on, Wi-Fi associated, on power
  setLastCloudBackup(in, fixtureNow() - days(3));
  in.external.newestIosVersion = "18.1";  // the device's version: current
  const auto fix = conditionIn(run(in), "backup_stale")->fix;
  EXPECT_EQ(fix.find("1. Turn on iCloud Backup"), std::string::npos) << fix;
  EXPECT_EQ(fix.find("2. Join Wi-Fi"), std::string::npos) << fix;
  EXPECT_EQ(fix.find("3. Connect to power"), std::string::npos) << fix;
  EXPECT_EQ(fix.find("9. Update iOS"), std::string::npos) << fix;
  EXPECT_EQ(fix.rfind("4. Free iCloud storage", 0), 0u) << fix;  // first remaining step
  for (const char* kept : {"5. Check Apple", "6. Sign out", "7. Restart", "8. Reset all"}) {
    EXPECT_NE(fix.find(kept), std::string::npos) << kept;
  }
  EXPECT_NE(fix.find("Left out: step 1 (iCloud Backup is on); step 2 (Wi-Fi seen associated); "
                     "step 3 (on external power); step 9 (iOS is current)."),
            std::string::npos)
      << fix;
}

TEST(BackupStale, FixKeepsWhatTheEvidenceDoesNotRuleOut) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(3));
  in.snapshot->wifi = WifiState::NotAssociated;
  in.snapshot->battery->externalConnected = false;
  in.external.newestIosVersion = "18.2";  // the device runs 18.1: not current
  const auto fix = conditionIn(run(in), "backup_stale")->fix;
  for (const char* kept : {"2. Join Wi-Fi", "3. Connect to power", "9. Update iOS"}) {
    EXPECT_NE(fix.find(kept), std::string::npos) << kept << " in " << fix;
  }
  EXPECT_NE(fix.find("Left out: step 1 (iCloud Backup is on)."), std::string::npos) << fix;
}

TEST(BackupStale, ComputerFixIsNotTailored) {
  auto in = healthyDevice();
  DiagnosisConfig c = defaultConfig();
  c.expect = BackupExpect::Computer;
  setLastComputerBackup(in, fixtureNow() - days(3));
  const auto fix = conditionIn(run(in, c), "backup_stale")->fix;
  EXPECT_EQ(fix.rfind("1. Check that the host's backup job", 0), 0u) << fix;
  EXPECT_EQ(fix.find("Left out"), std::string::npos) << fix;
}

TEST(NeverBackedUp, InfoFromTheFirstProbeSinceFirstSeen) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = fixtureNow();  // first probe
  const auto cs = run(in);
  const auto c = conditionIn(cs, "never_backed_up");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Info);
  EXPECT_EQ(c->since, fixtureNow());
  EXPECT_EQ(c->evidence.at("LastCloudBackupDate"), "absent");
  EXPECT_FALSE(conditionIn(cs, "backup_stale"));
}

TEST(NeverBackedUp, BackupStaleTakesOverAfterStaleAfter) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = fixtureNow() - hours(37);
  const auto cs = run(in);
  EXPECT_TRUE(conditionIn(cs, "backup_stale"));
  EXPECT_FALSE(conditionIn(cs, "never_backed_up"));
}

TEST(NeverBackedUp, NotWhenTheDateWasSetAsideAsFuture) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = fixtureNow();
  in.snapshot->backup->futureCloudBackup = fixtureNow() + days(400);
  EXPECT_FALSE(conditionIn(run(in), "never_backed_up"));
}

TEST(DeletionNote, AbsentBefore150Days) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(149));
  EXPECT_EQ(conditionIn(run(in), "backup_stale")->evidence.count("icloud_backup_deletion"), 0u);
}

TEST(DeletionNote, SaysWhenTheRuleWillBeReached) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(151));
  const auto c = conditionIn(run(in), "backup_stale");
  const auto& note = c->evidence.at("icloud_backup_deletion");
  EXPECT_NE(note.find("in 29 days"), std::string::npos) << note;
  EXPECT_NE(note.find("2026-12-23T00:00:00Z"), std::string::npos) << note;
  EXPECT_NE(c->summary.find("180 days"), std::string::npos);
}

TEST(DeletionNote, SaysWhenTheRuleHasPassed) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(200));
  const std::string note =
      conditionIn(run(in), "backup_stale")->evidence.at("icloud_backup_deletion");
  EXPECT_NE(note.find("may already have deleted"), std::string::npos) << note;
}

TEST(DeletionNote, NotForComputerOnlyFleets) {
  auto in = healthyDevice();
  auto config = defaultConfig();
  config.expect = BackupExpect::Computer;
  setLastCloudBackup(in, fixtureNow() - days(160));
  setLastComputerBackup(in, fixtureNow() - days(160));
  EXPECT_EQ(conditionIn(run(in, config), "backup_stale")->evidence.count("icloud_backup_deletion"),
            0u);
}

TEST(BackupState, NeverReadDeviceIsUnknown) {
  DiagnosisInput in;
  in.udid = kUdid;
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Unknown);
  EXPECT_TRUE(run(in).empty());
}

TEST(BackupState, LockedNowWithRecentBackupIsOk) {
  auto in = healthyDevice();
  makeUnreadable(in, TrustState::PasscodeLocked);
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Ok);
}

TEST(BackupState, LockedNowWithOldBackupIsStale) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(4));
  makeUnreadable(in, TrustState::PasscodeLocked);
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Stale);
}

TEST(BackupState, NeverReadableLongKnownDeviceIsUnknown) {
  auto in = healthyDevice();
  makeUnreadable(in, TrustState::TrustPending);
  in.history = DeviceHistory{};
  in.history.firstSeen = fixtureNow() - days(60);
  in.history.connected = true;
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Unknown);
  EXPECT_FALSE(conditionIn(run(in), "backup_stale"));
}

TEST(BackupState, ReadOnceWithoutDateThenLockedIsStale) {
  auto in = healthyDevice();
  setLastCloudBackup(in, std::nullopt);
  makeUnreadable(in, TrustState::PasscodeLocked);  // history keeps the earlier read
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Stale);
}

TEST(BackupState, EmptyBackupSectionIsNotARead) {
  auto in = healthyDevice();
  in.snapshot->backup = BackupFacts{};
  in.history.lastSnapshot->backup.reset();
  in.history.lastCloudBackup.reset();
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Unknown);
}

// A date later than now + clock_skew is no backup: never "ok" on it (backup_date_in_future).
TEST(BackupState, FutureDatedBackupIsNeverOk) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() + days(400));
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Stale);
}

TEST(BackupState, HistoryDateSurvivesAnUnreadableCycle) {
  auto in = healthyDevice();
  in.snapshot->backup.reset();
  in.history.lastSnapshot.reset();
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Ok);
}

TEST(Since, KeptFromOpenConditions) {
  auto in = healthyDevice();
  in.snapshot->battery->externalConnected = false;
  setLastCloudBackup(in, fixtureNow() - days(3));
  const TimePoint opened = fixtureNow() - days(10);
  in.history.openConditions["not_on_power"] = opened;
  in.history.openConditions["backup_stale"] = opened;
  const auto cs = run(in);
  EXPECT_EQ(conditionIn(cs, "not_on_power")->since, opened);
  EXPECT_EQ(conditionIn(cs, "backup_stale")->since, opened);
}

TEST(Since, NewConditionStartsNow) {
  auto in = healthyDevice();
  in.snapshot->battery->externalConnected = false;
  in.history.openConditions["clock_skew"] = fixtureNow() - days(1);  // not active any more
  const auto cs = run(in);
  EXPECT_EQ(conditionIn(cs, "not_on_power")->since, fixtureNow());
  EXPECT_FALSE(conditionIn(cs, "clock_skew"));
}

TEST(Evidence, IcloudDisabledNamesTheKey) {
  auto in = healthyDevice();
  setCloudEnabled(in, false);
  const auto c = conditionIn(run(in), "icloud_backup_disabled");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence.at("CloudBackupEnabled"), "false");
  EXPECT_EQ(c->evidence.count("observed_at"), 0u);
  EXPECT_EQ(c->fix, "Turn on iCloud Backup (Settings > [name] > iCloud > iCloud Backup).");
}

TEST(Backup, TurnedOffAgainAfterIbackupmondTurnedItOn) {
  auto in = healthyDevice();
  setCloudEnabled(in, false);
  EXPECT_FALSE(conditionIn(run(in), "icloud_backup_turned_off_again"));
  in.icloudBackupTurnedOnAt = fixtureNow() - hours(2);
  const auto cs = run(in);
  const auto c = conditionIn(cs, "icloud_backup_turned_off_again");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->evidence.at("turned_on_by_ibackupmond"), formatRfc3339(fixtureNow() - hours(2)));
  EXPECT_TRUE(conditionIn(cs, "icloud_backup_disabled"));
  // A read from before the switch was turned on says nothing about turning it off again.
  in.icloudBackupTurnedOnAt = fixtureNow() + hours(1);
  EXPECT_FALSE(conditionIn(run(in), "icloud_backup_turned_off_again"));
  // Switched on: neither condition.
  in.icloudBackupTurnedOnAt = fixtureNow() - hours(2);
  setCloudEnabled(in, true);
  EXPECT_FALSE(conditionIn(run(in), "icloud_backup_turned_off_again"));
}

TEST(Evidence, FactFromEarlierCycleCarriesObservedAt) {
  auto in = healthyDevice();
  setCloudEnabled(in, false);
  in.snapshot->backup.reset();  // this cycle's backup read failed
  in.history.lastSnapshot->takenAt = fixtureNow() - hours(5);
  const auto c = conditionIn(run(in), "icloud_backup_disabled");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence.at("observed_at"), "2026-11-23T19:00:00Z");
}

TEST(Evidence, HostileStringsPassThroughUnchanged) {
  const std::string hostile = "x\r\nBcc: victim@example.com\r\n<script>alert(\"1\")</script>\xff'";
  auto in = healthyDevice();
  in.external.outages.push_back({"iCloud Backup", "Outage", hostile, {}});
  in.snapshot->probes.push_back(
      ProbeOutcome{"account", ProbeStatus::NoData, "get_prohibited", hostile, 0.0});
  in.history.consecutiveProbeFailures = 4;
  in.snapshot->probes.push_back(ProbeOutcome{"battery", ProbeStatus::Error, "timeout", hostile, 0});
  const auto cs = run(in);
  EXPECT_EQ(conditionIn(cs, "apple_service_outage")->evidence.at("service:iCloud Backup"),
            "Outage: " + hostile);
  EXPECT_EQ(conditionIn(cs, "values_prohibited")->evidence.at("probe:account"),
            "get_prohibited: " + hostile);
  EXPECT_EQ(conditionIn(cs, "probe_failing")->evidence.at("probe:battery"), "timeout: " + hostile);
}

TEST(Evidence, InvalidValuesNameEveryKeyWithTypeAndExpectation) {
  auto in = healthyDevice();
  ProbeOutcome battery{"battery", ProbeStatus::Ok, "", "", 0.01};
  battery.invalid = {
      {"com.apple.mobile.battery", "BatteryCurrentCapacity", "integer",
       "com.apple.mobile.battery: BatteryCurrentCapacity: expected 0..100, found 250"}};
  ProbeOutcome identity{"identity", ProbeStatus::Ok, "", "", 0.01};
  identity.invalid = {{"default domain", "DeviceName", "data",
                       "default domain: DeviceName: expected string, found data"}};
  in.snapshot->probes.push_back(battery);
  in.snapshot->probes.push_back(identity);
  const auto cs = run(in);
  const auto c = conditionIn(cs, "device_values_invalid");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->evidence.at("keys"), "BatteryCurrentCapacity, DeviceName");
  EXPECT_EQ(
      c->evidence.at("BatteryCurrentCapacity"),
      "integer: com.apple.mobile.battery: BatteryCurrentCapacity: expected 0..100, found 250");
  EXPECT_EQ(c->evidence.at("DeviceName"),
            "data: default domain: DeviceName: expected string, found data");
  EXPECT_FALSE(conditionIn(cs, "probe_failing"))
      << "an Ok probe with bad values is not a failing probe";
}

TEST(Evidence, HostileAccountNamesPassThrough) {
  const std::string hostile = std::string("<b>\"me\"</b>") + std::string(100000, 'A');
  auto in = healthyDevice();
  in.snapshot->account = AccountInfo{false, {hostile}};
  setCloudEnabled(in, false);
  EXPECT_EQ(conditionIn(run(in), "icloud_signed_out")->evidence.at("AccountNames"), hostile);
}

TEST(StaleUnexplained, NamesTheInvisibleCandidates) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(3));
  in.snapshot->wifi = WifiState::Unknown;
  const auto c = conditionIn(run(in), "stale_unexplained");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->confidence, Confidence::Inferred);
  const auto& names = c->evidence.at("candidates");
  for (const char* want :
       {"iCloud storage full", "Apple ID verification", "Wi-Fi", "device-management restriction"}) {
    EXPECT_NE(names.find(want), std::string::npos) << want;
  }
}

TEST(StaleUnexplained, WifiSeenAssociatedIsNotACandidate) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() - days(3));
  const auto c = conditionIn(run(in), "stale_unexplained");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence.at("candidates").find("Wi-Fi"), std::string::npos);
}

TEST(Outage, SinceIsTheEventStartAndNeverSuppresses) {
  auto in = healthyDevice();
  setCloudEnabled(in, false);
  const TimePoint start = fixtureNow() - hours(6);
  in.external.outages.push_back({"iCloud Backup", "Outage", "m", start});
  const auto cs = run(in);
  const auto c = conditionIn(cs, "apple_service_outage");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Info);
  EXPECT_EQ(c->since, start);
  EXPECT_TRUE(conditionIn(cs, "icloud_backup_disabled"));
}

}  // namespace
}  // namespace ibackupmon::testing

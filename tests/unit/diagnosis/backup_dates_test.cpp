// SPDX-License-Identifier: Apache-2.0
// Backup dates as the device reports them: an impossible (future) date, a date stepping back,
// and a device whose every read fails while remembered values look healthy.
#include <algorithm>

#include <gtest/gtest.h>

#include "core/device_state.h"
#include "diagnosis/status_builder.h"
#include "fixtures.h"

namespace ibackupmon::testing {
namespace {

std::vector<std::string> ids(const std::vector<Condition>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.id);
  std::sort(out.begin(), out.end());
  return out;
}

const TimePoint kIn2076 = *parseRfc3339("2076-11-24T00:00:00Z");

// What the monitor hands diagnosis after a cycle that read LastCloudBackupDate in 2076: the date
// is set aside (futureCloudBackup), history still remembers the last real one.
DiagnosisInput reportsFutureDate(std::optional<TimePoint> remembered) {
  auto in = healthyDevice();
  setLastCloudBackup(in, remembered);
  in.snapshot->backup->futureCloudBackup = kIn2076;
  return in;
}

TEST(BackupDateInFuture, RaisedWithTheKeyAndTheDateReported) {
  const auto in = reportsFutureDate(fixtureNow() - days(20));
  const auto cs = diagnose(in, defaultConfig(), fixtureNow());
  const auto c = conditionIn(cs, "backup_date_in_future");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::Warning);
  EXPECT_EQ(c->confidence, Confidence::Observed);
  EXPECT_EQ(c->evidence.at("LastCloudBackupDate"), "2076-11-24T00:00:00Z");
  EXPECT_EQ(c->evidence.at("host_time"), "2026-11-24T00:00:00Z");
  EXPECT_EQ(c->evidence.at("clock_skew"), "5m");
  EXPECT_NE(c->summary.find("2076-11-24T00:00:00Z"), std::string::npos) << c->summary;
  EXPECT_NE(c->fix.find("Date & Time"), std::string::npos) << c->fix;
  // The remembered real backup is 20 days old: stale and critical, explained by the bad date.
  EXPECT_EQ(ids(cs), (std::vector<std::string>{"backup_date_in_future", "backup_stale"}));
  EXPECT_EQ(conditionIn(cs, "backup_stale")->severity, Severity::Critical);
  const auto status = buildStatus(in, defaultConfig(), cs, fixtureNow());
  EXPECT_EQ(status.backupState, BackupState::Stale);
  EXPECT_EQ(status.lastCloudBackup, fixtureNow() - days(20));
}

TEST(BackupDateInFuture, WithNothingRememberedTheStateIsNeverOk) {
  auto in = reportsFutureDate(std::nullopt);
  in.history.firstSeen = fixtureNow() - hours(1);
  auto cs = diagnose(in, defaultConfig(), fixtureNow());
  EXPECT_EQ(ids(cs), std::vector<std::string>{"backup_date_in_future"});
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Unknown);
  in.history.firstSeen = fixtureNow() - days(2);  // the domain answered, no real date: stale
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Stale);
}

TEST(BackupDateInFuture, RememberedFromAnEarlierCycleAndFromAnOlderDatabase) {
  // This cycle failed; the last good one reported the impossible date.
  auto in = reportsFutureDate(fixtureNow() - days(2));
  in.history.lastSnapshot = in.snapshot;
  in.history.lastSnapshot->takenAt = fixtureNow() - hours(1);
  makeUnreadable(in, TrustState::PasscodeLocked);
  auto c = conditionIn(diagnose(in, defaultConfig(), fixtureNow()), "backup_date_in_future");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence.at("observed_at"), "2026-11-23T23:00:00Z");
  // A database that holds 2076 as the remembered last backup.
  auto legacy = healthyDevice();
  setLastCloudBackup(legacy, kIn2076);
  legacy.snapshot->backup.reset();
  const auto cs = diagnose(legacy, defaultConfig(), fixtureNow());
  EXPECT_TRUE(conditionIn(cs, "backup_date_in_future"));
  EXPECT_NE(backupState(legacy, defaultConfig(), fixtureNow()), BackupState::Ok);
}

TEST(BackupDateInFuture, NotRaisedWithinClockSkew) {
  auto in = healthyDevice();
  setLastCloudBackup(in, fixtureNow() + std::chrono::minutes(4));
  EXPECT_FALSE(conditionIn(diagnose(in, defaultConfig(), fixtureNow()), "backup_date_in_future"));
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Ok);
}

// The device's current report is the truth: an older date than the remembered one counts.
TEST(ReportedBackupDate, AnOlderReportReplacesTheRememberedOne) {
  auto in = healthyDevice();
  ASSERT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Ok);
  in.snapshot->backup->lastCloudBackup = fixtureNow() - days(20);  // restored or erased
  in.history.lastCloudBackup = fixtureNow() - days(20);
  const auto cs = diagnose(in, defaultConfig(), fixtureNow());
  EXPECT_EQ(backupState(in, defaultConfig(), fixtureNow()), BackupState::Stale);
  ASSERT_TRUE(conditionIn(cs, "backup_stale"));
  EXPECT_EQ(conditionIn(cs, "backup_stale")->evidence.at("LastCloudBackupDate"),
            "2026-11-04T00:00:00Z");
  const auto status = buildStatus(in, defaultConfig(), cs, fixtureNow());
  EXPECT_EQ(status.lastCloudBackup, fixtureNow() - days(20));
}

// The session opened but no read answered, three cycles in a row, on a device whose remembered
// values say "backed up 10 hours ago".
TEST(ProbeFailing, EveryReadFailingIsNotHealthyOnRememberedValues) {
  auto in = healthyDevice();
  DeviceSnapshot s;
  s.identity.udid = kUdid;
  s.takenAt = fixtureNow();
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.probes.push_back(ProbeOutcome{"trust", ProbeStatus::Ok, "", "", 0.2});
  for (const char* p : {"identity", "backup", "battery", "storage", "account"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Error, "retry", "connection closed", 0});
  }
  in.snapshot = s;
  in.history.consecutiveProbeFailures = 3;
  in.history.probeFailingSince = fixtureNow() - std::chrono::seconds(6);
  in.history.lastGoodProbe = fixtureNow() - std::chrono::minutes(5);
  const auto cs = diagnose(in, defaultConfig(), fixtureNow());
  const auto c = conditionIn(cs, "probe_failing");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence.at("consecutive_failures"), "3");
  EXPECT_EQ(c->evidence.at("probe:backup"), "retry: connection closed");
  const auto status = buildStatus(in, defaultConfig(), cs, fixtureNow());
  EXPECT_EQ(deviceState(status), DeviceState::Warning);
  EXPECT_FALSE(status.batteryLevel);
}

}  // namespace
}  // namespace ibackupmon::testing

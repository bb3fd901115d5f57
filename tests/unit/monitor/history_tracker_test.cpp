// SPDX-License-Identifier: Apache-2.0
// The monitor's in-memory history: which cycles are good, and which backup dates it remembers.
#include "app/history_tracker.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kNow = fromUnixSeconds(1'790'000'000);  // 2026-09-21

DeviceSnapshot readable(TimePoint at = kNow) {
  DeviceSnapshot s;
  s.identity.udid = "U";
  s.identity.name = "iPad U";
  s.takenAt = at;
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.backup = BackupFacts{};
  s.backup->lastCloudBackup = at - hours(2);
  for (const char* p : {"trust", "identity", "backup", "battery", "storage", "account"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Ok, "", "", 0.01});
  }
  s.probes.push_back(ProbeOutcome{"wifi", ProbeStatus::NoData, "no_entry", "", 0.01});
  return s;
}

// The session opened, then the connection dropped at the first GetValue: the trust probe is ok,
// every read failed, and the Wi-Fi probe (best effort) reports "no data".
DeviceSnapshot everyReadFailed(TimePoint at) {
  DeviceSnapshot s;
  s.identity.udid = "U";
  s.takenAt = at;
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.probes.push_back(ProbeOutcome{"trust", ProbeStatus::Ok, "", "", 0.2});
  for (const char* p : {"identity", "backup", "battery", "storage", "account"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Error, "retry", "connection closed", 0.0});
  }
  s.probes.push_back(ProbeOutcome{"wifi", ProbeStatus::NoData, "retry", "connection closed", 0});
  return s;
}

TEST(HistoryTracker, KeepsTheGoodProbeBeforeTheLastForTwoInARow) {
  DeviceHistory h;
  noteProbe(h, readable(kNow));
  EXPECT_FALSE(h.previousSnapshot);
  noteProbe(h, readable(kNow + minutes(5)));
  noteProbe(h, everyReadFailed(kNow + minutes(6)));  // a failed cycle replaces neither
  ASSERT_TRUE(h.previousSnapshot && h.lastSnapshot);
  EXPECT_EQ(h.previousSnapshot->takenAt, kNow);
  EXPECT_EQ(h.lastSnapshot->takenAt, kNow + minutes(5));
}

TEST(HistoryTracker, CycleWhoseEveryReadFailedIsAFailedCycle) {
  DeviceHistory h;
  noteProbe(h, readable(kNow));
  ASSERT_EQ(h.lastGoodProbe, kNow);
  for (int i = 1; i <= 3; ++i) {
    const auto s = everyReadFailed(kNow + minutes(i));
    EXPECT_FALSE(cycleSucceeded(s));
    noteProbe(h, s);
  }
  EXPECT_EQ(h.consecutiveProbeFailures, 3);
  EXPECT_EQ(h.lastGoodProbe, kNow) << "the last good probe does not advance";
  EXPECT_EQ(h.probeFailingSince, kNow + minutes(1));
  ASSERT_TRUE(h.lastSnapshot);
  EXPECT_EQ(h.lastSnapshot->takenAt, kNow) << "remembered values stay those of the good cycle";
  EXPECT_EQ(h.lastCloudBackup, kNow - hours(2));
  noteProbe(h, readable(kNow + minutes(4)));
  EXPECT_EQ(h.consecutiveProbeFailures, 0);
  EXPECT_FALSE(h.probeFailingSince);
}

TEST(HistoryTracker, AnsweredReadsMakeAGoodCycle) {
  EXPECT_TRUE(cycleSucceeded(readable()));
  // One read answered, the others failed: the device was reached.
  auto partial = everyReadFailed(kNow);
  partial.probes[1].status = ProbeStatus::Ok;
  EXPECT_TRUE(cycleSucceeded(partial));
  // The device refusing a domain is an answer, not a failure.
  auto prohibited = everyReadFailed(kNow);
  prohibited.probes[2] = ProbeOutcome{"backup", ProbeStatus::NoData, "get_prohibited", "", 0};
  EXPECT_TRUE(cycleSucceeded(prohibited));
  // Only the trust probe (the session opening) is no read at all.
  auto locked = readable();
  locked.trust = TrustState::PasscodeLocked;
  EXPECT_FALSE(cycleSucceeded(locked));
}

TEST(HistoryTracker, OlderReportedBackupReplacesTheRememberedOne) {
  DeviceHistory h;
  noteProbe(h, readable(kNow));
  ASSERT_EQ(h.lastCloudBackup, kNow - hours(2));
  auto restored = readable(kNow + hours(1));
  restored.backup->lastCloudBackup = kNow - hours(24 * 20);
  restored.backup->lastComputerBackup = kNow - hours(24 * 30);
  noteProbe(h, restored);
  EXPECT_EQ(h.lastCloudBackup, kNow - hours(24 * 20));
  EXPECT_EQ(h.lastComputerBackup, kNow - hours(24 * 30));
  // A cycle that reads no date (unreadable, key absent) forgets nothing.
  noteProbe(h, everyReadFailed(kNow + hours(2)));
  auto noDate = readable(kNow + hours(3));
  noDate.backup->lastCloudBackup.reset();
  noteProbe(h, noDate);
  EXPECT_EQ(h.lastCloudBackup, kNow - hours(24 * 20));
}

TEST(HistoryTracker, FutureBackupDatesAreSetAsideNeverRemembered) {
  DeviceHistory h;
  auto s = readable(kNow);
  s.backup->lastCloudBackup = kNow - hours(24 * 20);
  noteProbe(h, s);
  auto future = readable(kNow + hours(1));
  const TimePoint in2076 = kNow + hours(24 * 365 * 50);
  future.backup->lastCloudBackup = in2076;
  future.backup->lastComputerBackup = future.takenAt + minutes(4);  // within clock_skew: kept
  setAsideFutureDates(future, minutes(5));
  EXPECT_FALSE(future.backup->lastCloudBackup);
  EXPECT_EQ(future.backup->futureCloudBackup, in2076);
  EXPECT_EQ(future.backup->lastComputerBackup, future.takenAt + minutes(4));
  EXPECT_FALSE(future.backup->futureComputerBackup);
  noteProbe(h, future);
  EXPECT_EQ(h.lastCloudBackup, kNow - hours(24 * 20)) << "the impossible date is not remembered";
  ASSERT_TRUE(h.lastSnapshot);
  EXPECT_EQ(h.lastSnapshot->backup->futureCloudBackup, in2076) << "kept as evidence";

  auto justOver = readable(kNow);
  justOver.backup->lastCloudBackup = kNow + minutes(5) + std::chrono::seconds(1);
  setAsideFutureDates(justOver, minutes(5));
  EXPECT_TRUE(justOver.backup->futureCloudBackup);
}

}  // namespace
}  // namespace ibackupmon

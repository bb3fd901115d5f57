// SPDX-License-Identifier: Apache-2.0
#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "store/database.h"
#include "store_fixtures.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using testing::at;
using testing::snapshot;
using testing::TempDir;

constexpr long long kT0 = 1'700'000'000;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open(OpenMode mode = OpenMode::ReadWrite) {
    auto s = Store::open(path_, mode);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }
  TempDir dir_;
  std::string path_ = dir_.file("ibackupmon.db");
};

TEST_F(StoreTest, AttachedDeviceIsUnknownUntilStatusSaved) {
  auto store = open();
  ASSERT_TRUE(store->deviceAttached("A", at(kT0)));
  store.reset();
  auto ro = open(OpenMode::ReadOnly);
  auto st = ro->loadStatus();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->size(), 1u);
  EXPECT_EQ((*st)[0].udid, "A");
  EXPECT_TRUE((*st)[0].connected);
  EXPECT_EQ((*st)[0].backupState, BackupState::Unknown);
}

TEST_F(StoreTest, ObservationsOnlyWhenBandedValuesChange) {
  auto store = open();
  for (int i = 0; i < 10; ++i) {  // same values, new times and device clock: heartbeat only
    ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0 + i * 300, 81 + (i % 3))));
  }
  auto t = store->timeline("A");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->observations.size(), 1u);
  // Hysteresis: 79 and 91 stay in the 80 band (3 points of margin), 75 leaves it.
  ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0 + 3000, 79)));
  ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0 + 3300, 91)));
  ASSERT_EQ(store->timeline("A")->observations.size(), 1u);
  ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0 + 4000, 75)));
  t = store->timeline("A");
  ASSERT_EQ(t->observations.size(), 2u);
  auto changes = nlohmann::json::parse(t->observations[1].changesJson);
  EXPECT_EQ(changes, nlohmann::json({{"battery_band", 70}}));
  EXPECT_EQ(t->observations[1].at, at(kT0 + 4000));
  // A failed probe keeps the last known values: only probe_errors changes.
  auto failed = snapshot("A", kT0 + 4300);
  failed.battery.reset();
  failed.probes = {ProbeOutcome{"battery", ProbeStatus::Error, "timeout", "", 15}};
  ASSERT_TRUE(store->recordSnapshot(failed));
  t = store->timeline("A");
  ASSERT_EQ(t->observations.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(t->observations[2].changesJson),
            nlohmann::json({{"probe_errors", {"battery:timeout"}}}));
}

TEST_F(StoreTest, BatteryWearIsRecordedInHealthBandsAndCycleCountsButNotTemperature) {
  auto store = open();
  auto reading = [&](int at, double health, std::int64_t cycles, double celsius) {
    auto s = snapshot("A", kT0 + at, 81);
    s.powerSource = PowerSourceInfo{};
    s.powerSource->healthRatio = health;
    s.powerSource->cycleCount = cycles;
    s.powerSource->temperatureCelsius = celsius;
    return s;
  };
  ASSERT_TRUE(store->recordSnapshot(reading(0, 0.8731, 400, 29.0)));
  // Another temperature, a health within the band and its 0.3-point margin: no row.
  ASSERT_TRUE(store->recordSnapshot(reading(300, 0.8705, 400, 41.0)));
  ASSERT_TRUE(store->recordSnapshot(reading(600, 0.8798, 400, 35.0)));
  ASSERT_EQ(store->timeline("A")->observations.size(), 1u);
  auto first = nlohmann::json::parse(store->timeline("A")->observations[0].changesJson);
  EXPECT_EQ(first["battery_health_pct"], 87);
  EXPECT_EQ(first["battery_cycle_count"], 400);
  EXPECT_FALSE(first.contains("battery_temperature_celsius"));
  // A new cycle count is recorded; so is a health a point lower.
  ASSERT_TRUE(store->recordSnapshot(reading(900, 0.8700, 401, 30.0)));
  ASSERT_TRUE(store->recordSnapshot(reading(1200, 0.8650, 401, 30.0)));
  auto t = store->timeline("A");
  ASSERT_EQ(t->observations.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(t->observations[1].changesJson),
            nlohmann::json({{"battery_cycle_count", 401}}));
  EXPECT_EQ(nlohmann::json::parse(t->observations[2].changesJson),
            nlohmann::json({{"battery_health_pct", 86}}));
}

TEST_F(StoreTest, BackupEventsAreDeduplicatedAndTheLastReportWins) {
  auto store = open();
  auto s = snapshot("A", kT0);
  s.backup->lastCloudBackup = at(kT0 - 3600);
  auto first = store->recordSnapshot(s);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].kind, "icloud");
  s.takenAt = at(kT0 + 300);
  auto again = store->recordSnapshot(s);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  s.takenAt = at(kT0 + 600);
  s.backup->lastCloudBackup = at(kT0 + 500);
  s.backup->lastComputerBackup = at(kT0 - 86400);
  auto next = store->recordSnapshot(s);
  ASSERT_EQ(next->size(), 2u);
  // A device reporting an older date (restored, erased, a bad date corrected) is the truth:
  // "last" moves back, and the step back is an observation of its own.
  s.takenAt = at(kT0 + 900);
  s.backup->lastCloudBackup = at(kT0 - 7200);
  ASSERT_TRUE(store->recordSnapshot(s));
  auto h = store->loadHistory("A");
  ASSERT_TRUE(h && *h);
  EXPECT_EQ((*h)->lastCloudBackup, at(kT0 - 7200));
  EXPECT_EQ((*h)->lastComputerBackup, at(kT0 - 86400));
  auto t = store->timeline("A");
  EXPECT_EQ(t->backups.size(), 4u);
  ASSERT_FALSE(t->observations.empty());
  EXPECT_EQ(t->observations.back().at, at(kT0 + 900));
  EXPECT_EQ(nlohmann::json::parse(t->observations.back().changesJson),
            nlohmann::json({{"icloud_backup_stepped_back",
                             {{"from", "2023-11-14T22:21:40Z"}, {"to", "2023-11-14T20:13:20Z"}}}}));
  ASSERT_TRUE(store->saveStatus(testing::status("A", BackupState::Stale)));
  auto st = store->loadStatus();
  ASSERT_TRUE(st && st->size() == 1u);
  EXPECT_EQ((*st)[0].lastCloudBackup, at(kT0 - 7200)) << "status shows the last report";
  // The same date again is no new step back; a cycle without a date forgets nothing.
  s.takenAt = at(kT0 + 1200);
  ASSERT_TRUE(store->recordSnapshot(s));
  s.takenAt = at(kT0 + 1500);
  s.backup->lastCloudBackup.reset();
  ASSERT_TRUE(store->recordSnapshot(s));
  EXPECT_EQ(store->timeline("A")->observations.size(), t->observations.size());
  EXPECT_EQ((*store->loadHistory("A"))->lastCloudBackup, at(kT0 - 7200));
}

TEST_F(StoreTest, SessionWhoseEveryReadFailedCountsAsAFailedProbe) {
  auto store = open();
  ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0)));
  DeviceSnapshot dropped;
  dropped.identity.udid = "A";
  dropped.takenAt = at(kT0 + 300);
  dropped.connected = true;
  dropped.trust = TrustState::Trusted;
  dropped.probes = {ProbeOutcome{"trust", ProbeStatus::Ok, "", "", 0.2},
                    ProbeOutcome{"identity", ProbeStatus::Error, "retry", "closed", 0},
                    ProbeOutcome{"wifi", ProbeStatus::NoData, "retry", "closed", 0}};
  ASSERT_TRUE(store->recordSnapshot(dropped));
  auto h = store->loadHistory("A");
  ASSERT_TRUE(h && *h);
  EXPECT_EQ((*h)->consecutiveProbeFailures, 1);
  EXPECT_EQ((*h)->lastGoodProbe, at(kT0));
  EXPECT_EQ((*h)->probeFailingSince, at(kT0 + 300));
}

TEST_F(StoreTest, ConditionIntervalsOpenEscalateAndClose) {
  auto store = open();
  using testing::condition;
  ASSERT_TRUE(store->recordConditions("A",
                                      {condition("backup_stale", Severity::Warning, kT0 - 100),
                                       condition("not_on_power", Severity::Warning, 0)},
                                      at(kT0)));
  ASSERT_TRUE(store->recordConditions("A",
                                      {condition("backup_stale", Severity::Critical, kT0 - 100),
                                       condition("not_on_power", Severity::Warning, 0)},
                                      at(kT0 + 300)));
  auto h = store->loadHistory("A");
  ASSERT_TRUE(h && *h);
  ASSERT_EQ((*h)->openConditions.size(), 2u);
  EXPECT_EQ((*h)->openConditions.at("backup_stale"), at(kT0 - 100));
  EXPECT_EQ((*h)->openConditions.at("not_on_power"), at(kT0)) << "unset since = when seen";
  ASSERT_TRUE(store->recordConditions(
      "A", {condition("backup_stale", Severity::Critical, kT0 - 100)}, at(kT0 + 600)));
  ASSERT_TRUE(store->recordConditions("A",
                                      {condition("backup_stale", Severity::Critical, kT0 - 100),
                                       condition("not_on_power", Severity::Warning, kT0 + 900)},
                                      at(kT0 + 900)));
  auto t = store->timeline("A");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->conditions.size(), 3u);
  EXPECT_EQ(t->conditions[0].conditionId, "backup_stale");
  EXPECT_EQ(t->conditions[0].severity, Severity::Critical);
  EXPECT_FALSE(t->conditions[0].closed);
  EXPECT_EQ(t->conditions[1].conditionId, "not_on_power");
  EXPECT_EQ(t->conditions[1].closed, at(kT0 + 600));
  EXPECT_EQ(nlohmann::json::parse(t->conditions[1].evidenceJson)["key"], "value of not_on_power");
  EXPECT_EQ(t->conditions[2].opened, at(kT0 + 900));
}

TEST_F(StoreTest, AttachSessionsOpenOnceAndCloseAtLastSeenAfterCrash) {
  auto store = open();
  ASSERT_TRUE(store->deviceAttached("A", at(kT0)));
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 10)));  // duplicate attach event
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 100)));
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 200)));
  ASSERT_TRUE(store->recordSnapshot(snapshot("A", kT0 + 500)));
  store.reset();  // "crash": the session stays open in the file
  store = open();
  ASSERT_TRUE(store->closeAllSessions(at(kT0 + 5000)));
  auto t = store->timeline("A");
  ASSERT_EQ(t->sessions.size(), 2u);
  EXPECT_EQ(t->sessions[0].attached, at(kT0));
  EXPECT_EQ(t->sessions[0].detached, at(kT0 + 100));
  EXPECT_EQ(t->sessions[1].detached, at(kT0 + 500)) << "closed at last sighting, not restart";
  auto h = store->loadHistory("A");
  EXPECT_FALSE((*h)->connected);
}

// usbmuxd reports a flaky cable as attach, detach, attach within one second: the device is
// attached at the end, so it has an open session, and each attach has a session of its own.
TEST_F(StoreTest, ReattachWithinOneSecondOpensItsOwnSession) {
  using namespace std::chrono_literals;
  auto store = open();
  const TimePoint t = at(kT0);
  ASSERT_TRUE(store->deviceAttached("A", t + 100ms));
  ASSERT_TRUE(store->deviceDetached("A", t + 400ms));
  ASSERT_TRUE(store->deviceAttached("A", t + 700ms));
  auto tl = store->timeline("A");
  ASSERT_TRUE(tl);
  ASSERT_EQ(tl->sessions.size(), 2u);
  EXPECT_EQ(tl->sessions[0].detached, at(kT0));
  EXPECT_FALSE(tl->sessions[1].detached) << "the device is attached: its session is open";
  EXPECT_TRUE((*store->loadHistory("A"))->connected);
  // The same instant twice (a clock step, a replayed event) still never collides.
  ASSERT_TRUE(store->deviceDetached("A", t + 700ms));
  ASSERT_TRUE(store->deviceAttached("A", t + 700ms));
  tl = store->timeline("A");
  ASSERT_EQ(tl->sessions.size(), 3u);
  EXPECT_FALSE(tl->sessions[2].detached);
}

TEST_F(StoreTest, OpenSessionRecordsWhereTheDeviceSits) {
  auto store = open();
  ASSERT_TRUE(store->sessionLocated("A", "1-2.3", std::nullopt));  // unknown device: nothing
  ASSERT_TRUE(store->deviceAttached("A", at(kT0)));
  ASSERT_TRUE(store->sessionLocated("A", "1-2.3", "Cart A / 07"));
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 100)));
  ASSERT_TRUE(store->sessionLocated("A", "9-9", "never"));  // no open session: nothing
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 200)));
  ASSERT_TRUE(store->sessionLocated("A", "1-2.4", std::nullopt));
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 300)));
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 400)));  // a network attach: no port
  auto t = store->timeline("A");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->sessions.size(), 3u);
  EXPECT_EQ(t->sessions[0].port, "1-2.3");
  EXPECT_EQ(t->sessions[0].slotLabel, "Cart A / 07");
  EXPECT_EQ(t->sessions[1].port, "1-2.4");
  EXPECT_EQ(t->sessions[1].slotLabel, std::nullopt);
  EXPECT_EQ(t->sessions[2].port, std::nullopt);
}

TEST_F(StoreTest, HistoryKeepsLastSnapshotAndProbeFailures) {
  auto store = open();
  auto s = snapshot("A", kT0);
  s.identity.name = std::string("bad\xff name");  // not sanitised upstream: stays storable
  ASSERT_TRUE(store->recordSnapshot(s));
  DeviceSnapshot failed;
  failed.identity.udid = "A";
  failed.takenAt = at(kT0 + 300);
  failed.connected = true;
  failed.probes = {ProbeOutcome{"identity", ProbeStatus::Error, "timeout", "", 15}};
  ASSERT_TRUE(store->recordSnapshot(failed));
  failed.takenAt = at(kT0 + 600);
  ASSERT_TRUE(store->recordSnapshot(failed));
  auto h = store->loadHistory("A");
  ASSERT_TRUE(h && *h);
  EXPECT_EQ((*h)->consecutiveProbeFailures, 2);
  EXPECT_EQ((*h)->probeFailingSince, at(kT0 + 300));
  EXPECT_EQ((*h)->lastGoodProbe, at(kT0));
  EXPECT_EQ((*h)->lastSeen, at(kT0 + 600));
  ASSERT_TRUE((*h)->lastSnapshot);
  EXPECT_EQ((*h)->lastSnapshot->takenAt, at(kT0)) << "newest snapshot WITH data";
  EXPECT_EQ((*h)->lastSnapshot->battery->level, 81);
  EXPECT_EQ((*h)->lastSnapshot->storage->totalDataAvailable, (10ull << 30) + 12345);
  EXPECT_EQ((*h)->lastSnapshot->trust, TrustState::Trusted);
  EXPECT_FALSE(store->loadHistory("nobody").value().has_value());
}

TEST_F(StoreTest, StatusRoundTripsWorstFirst) {
  auto store = open();
  using testing::condition;
  using testing::status;
  ASSERT_TRUE(store->saveStatus(status("ok", BackupState::Ok)));
  ASSERT_TRUE(store->saveStatus(
      status("warn", BackupState::Stale, {condition("backup_stale", Severity::Warning, kT0)})));
  ASSERT_TRUE(store->saveStatus(status("unk", BackupState::Unknown)));
  ASSERT_TRUE(store->saveStatus(
      status("crit", BackupState::Stale, {condition("backup_stale", Severity::Critical, kT0)})));
  auto st = store->loadStatus();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->size(), 4u);
  EXPECT_EQ((*st)[0].udid, "crit");
  EXPECT_EQ((*st)[1].udid, "unk");
  EXPECT_EQ((*st)[2].udid, "warn");
  EXPECT_EQ((*st)[3].udid, "ok");
  const auto& c = (*st)[0].conditions.at(0);
  EXPECT_EQ(c.since, at(kT0));
  EXPECT_EQ(c.fix, "fix backup_stale");
  EXPECT_EQ(c.evidence.at("key"), "value of backup_stale");
  EXPECT_EQ((*st)[3].batteryLevel, 55);
  EXPECT_EQ((*st)[3].icloudBackupEnabled, true);
  EXPECT_FALSE((*st)[3].storageCapacityBytes);
}

TEST_F(StoreTest, RecordCycleWritesAllThree) {
  auto store = open();
  auto s = snapshot("A", kT0);
  s.backup->lastCloudBackup = at(kT0 - 10);
  auto ev = store->recordCycle(s, {testing::condition("not_on_power", Severity::Warning, kT0)},
                               testing::status("A", BackupState::Ok));
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->size(), 1u);
  EXPECT_EQ(store->loadStatus()->at(0).backupState, BackupState::Ok);
  EXPECT_EQ(store->loadHistory("A").value()->openConditions.size(), 1u);
}

TEST_F(StoreTest, RecordStatusWritesConditionsAndStatusTogether) {
  auto store = open();
  ASSERT_TRUE(store->recordStatus("A", {testing::condition("not_on_power", Severity::Warning, kT0)},
                                  testing::status("A", BackupState::Stale), at(kT0)));
  EXPECT_EQ(store->loadStatus()->at(0).backupState, BackupState::Stale);
  EXPECT_EQ(store->loadHistory("A").value()->openConditions.size(), 1u);
  // The condition gone: its interval closes as the status row is replaced.
  ASSERT_TRUE(store->recordStatus("A", {}, testing::status("A", BackupState::Ok), at(kT0 + 60)));
  EXPECT_EQ(store->loadStatus()->at(0).backupState, BackupState::Ok);
  EXPECT_TRUE(store->loadHistory("A").value()->openConditions.empty());
}

// A group commit: what the group wrote is visible to another connection only once it committed,
// all of it at once.
TEST_F(StoreTest, GroupCommitWritesEverythingInOneTransaction) {
  auto store = open();
  auto reader = open(OpenMode::ReadOnly);
  std::optional<std::size_t> seenInside;
  auto group = store->inOneCommit([&] {
    EXPECT_TRUE(store->recordCycle(snapshot("A", kT0), {}, testing::status("A", BackupState::Ok)));
    EXPECT_TRUE(store->recordStatus("B", {}, testing::status("B", BackupState::Stale), at(kT0)));
    seenInside = reader->loadStatus().value().size();
  });
  ASSERT_TRUE(group) << group.error().message;
  EXPECT_EQ(seenInside, 0u) << "nothing committed before the group ends";
  EXPECT_EQ(reader->loadStatus()->size(), 2u);
  auto outer =
      store->inOneCommit([&] { EXPECT_FALSE(store->inOneCommit([] {})) << "nested: refused"; });
  EXPECT_TRUE(outer);
}

// One write of a group that fails is undone alone; the others commit.
TEST_F(StoreTest, GroupCommitUndoesOnlyTheWriteThatFailed) {
  auto store = open();
  {
    auto db = Database::open(path_, DbAccess::ReadWrite);
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        db->exec("CREATE TRIGGER refuse_b BEFORE INSERT ON devices WHEN NEW.udid = 'B' "
                 "BEGIN SELECT RAISE(ABORT, 'refused'); END"));
  }
  Expected<void> a, b, c;
  auto group = store->inOneCommit([&] {
    a = store->recordStatus("A", {}, testing::status("A", BackupState::Ok), at(kT0));
    b = store->recordStatus("B", {testing::condition("not_on_power", Severity::Warning, kT0)},
                            testing::status("B", BackupState::Stale), at(kT0));
    c = store->recordStatus("C", {}, testing::status("C", BackupState::Ok), at(kT0));
  });
  ASSERT_TRUE(group) << group.error().message;
  EXPECT_TRUE(a);
  EXPECT_FALSE(b);
  EXPECT_TRUE(c);
  auto st = open(OpenMode::ReadOnly)->loadStatus();
  ASSERT_TRUE(st);
  std::vector<std::string> udids;
  for (const auto& s : *st) udids.push_back(s.udid);
  std::sort(udids.begin(), udids.end());
  EXPECT_EQ(udids, (std::vector<std::string>{"A", "C"}));
  auto timelineB = open(OpenMode::ReadOnly)->timeline("B");
  ASSERT_FALSE(timelineB) << "B's device row and interval were undone with its status";
  EXPECT_EQ(timelineB.error().code, "not_found");
}

// A group that cannot start (another process holds the write lock) says so; none of its writes
// ran, so the caller keeps them all.
TEST_F(StoreTest, GroupCommitThatCannotStartIsAnErrorAndWritesNothing) {
  auto opened = Store::open(path_, OpenMode::ReadWrite, std::chrono::milliseconds(50));
  ASSERT_TRUE(opened);
  auto& store = *opened;
  auto other = Database::open(path_, DbAccess::ReadWrite);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
  bool ran = false;
  auto group = store->inOneCommit([&] { ran = true; });
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code, "db_busy");
  EXPECT_FALSE(ran);
  ASSERT_TRUE(other->exec("ROLLBACK"));
  EXPECT_TRUE(store->inOneCommit([&] { ran = true; }));
  EXPECT_TRUE(ran);
}

TEST_F(StoreTest, ForgetHidesFromStatusKeepsHistoryAndReturns) {
  auto store = open();
  ASSERT_TRUE(store->deviceAttached("A", at(kT0)));
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 10)));
  ASSERT_TRUE(store->deviceAttached("B", at(kT0 + 1000)));
  EXPECT_TRUE(*store->forget("A", at(kT0 + 2000)));
  EXPECT_FALSE(*store->forget("A", at(kT0 + 2000))) << "already forgotten";
  EXPECT_FALSE(*store->forget("nobody", at(kT0)));
  ASSERT_EQ(store->loadStatus()->size(), 1u);
  EXPECT_EQ(store->loadAllHistories()->size(), 1u);
  EXPECT_EQ(store->timeline("A")->sessions.size(), 1u);
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 3000)));
  EXPECT_EQ(store->loadStatus()->size(), 2u);
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 3010)));
  ASSERT_TRUE(store->deviceDetached("B", at(kT0 + 3020)));
  auto gone = store->forgetUnseenSince(at(kT0 + 3015));
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, std::vector<std::string>{"A"});
  EXPECT_EQ(store->loadStatus()->at(0).udid, "B");
}

TEST_F(StoreTest, PruneDeletesOldHistoryInBatches) {
  auto store = open();
  for (int i = 0; i < 30; ++i) {  // 30 changes, each a new observation and backup event
    auto s =
        snapshot(i % 2 ? "A" : "B", kT0 + i * 3600, i % 2 ? 10 * (i % 10) : 100 - 10 * (i % 10));
    s.backup->lastCloudBackup = at(kT0 + i * 3600 - 60);
    ASSERT_TRUE(store->recordSnapshot(s));
  }
  ASSERT_TRUE(
      store->recordConditions("A", {testing::condition("x", Severity::Warning, kT0)}, at(kT0)));
  auto before = store->timeline("A");
  const auto cutoff = at(kT0 + 20 * 3600);
  int batches = 0, total = 0;
  for (;;) {
    auto r = store->pruneBefore(cutoff, 7);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_LE(r->rowsDeleted, 7);
    total += r->rowsDeleted;
    ++batches;
    if (!r->more) break;
    ASSERT_LT(batches, 100);
  }
  EXPECT_GE(batches, 5);
  EXPECT_EQ(total, 41) << "20 observations + 21 backup events (i=0..20) before the cutoff";
  auto after = store->timeline("A");
  EXPECT_EQ(after->backups.size(), 5u);
  for (const auto& b : after->backups) EXPECT_GE(b.at, cutoff);
  EXPECT_EQ(after->conditions.size(), 1u) << "open intervals are never pruned";
  EXPECT_EQ(store->loadHistory("A").value()->lastCloudBackup, at(kT0 + 29 * 3600 - 60));
}

TEST_F(StoreTest, PruneRemovesForgottenDevicesPastRetention) {
  auto store = open();
  ASSERT_TRUE(store->deviceAttached("A", at(kT0)));
  ASSERT_TRUE(store->deviceDetached("A", at(kT0 + 10)));
  ASSERT_TRUE(store->forget("A", at(kT0 + 20)));
  ASSERT_TRUE(store->pruneBefore(at(kT0 + 100), 100));
  EXPECT_FALSE(store->timeline("A"));
  EXPECT_EQ(store->timeline("A").error().code, "not_found");
  ASSERT_TRUE(store->deviceAttached("A", at(kT0 + 200))) << "id cache must not be stale";
  EXPECT_EQ(store->loadStatus()->size(), 1u);
}

}  // namespace
}  // namespace ibackupmon

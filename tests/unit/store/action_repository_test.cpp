// SPDX-License-Identifier: Apache-2.0
#include "store/action_repository.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::TempDir;

const TimePoint kAt = TimePoint{} + seconds(1'800'000'000);
const std::string kUdid = "00008030-000000000000000A";

ActionRecord make(RemediationAction action, TimePoint at,
                  ActionResult result = ActionResult::Pending, const std::string& udid = kUdid) {
  ActionRecord a;
  a.udid = udid;
  a.action = action;
  a.requestedAt = at;
  a.result = result;
  return a;
}

class ActionRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = ActionRepository::open(dir_.file("a.db"));
    ASSERT_TRUE(r) << r.error().message;
    repo_.emplace(std::move(*r));
  }
  TempDir dir_;
  std::optional<ActionRepository> repo_;
};

TEST_F(ActionRepositoryTest, RecordsTheLifeOfAnAction) {
  auto a = make(RemediationAction::EnableIcloudBackup, kAt);
  a.trigger = ActionTrigger::Manual;
  a.comment = "asked by the teacher";
  auto id = repo_->request(a);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(repo_->markStarted(*id, kAt + seconds(1)));
  ASSERT_TRUE(repo_->finish(*id, ActionResult::Done, "", "verified", kAt + seconds(3)));
  auto back = repo_->byId(*id);
  ASSERT_TRUE(back && *back);
  const ActionRecord& r = **back;
  EXPECT_EQ(r.udid, kUdid);
  EXPECT_EQ(r.action, RemediationAction::EnableIcloudBackup);
  EXPECT_EQ(r.trigger, ActionTrigger::Manual);
  EXPECT_EQ(r.comment, "asked by the teacher");
  EXPECT_EQ(r.requestedAt, kAt);
  EXPECT_EQ(r.startedAt, kAt + seconds(1));
  EXPECT_EQ(r.finishedAt, kAt + seconds(3));
  EXPECT_EQ(r.result, ActionResult::Done);
  EXPECT_EQ(r.outcome, "verified");
  EXPECT_EQ(*repo_->lastVerifiedEnable(kUdid), kAt + seconds(3));
}

TEST_F(ActionRepositoryTest, SkipsAndDryRunsAreStoredFinished) {
  auto skip = make(RemediationAction::Restart, kAt, ActionResult::Skipped);
  skip.reason = "passcode";
  ASSERT_TRUE(repo_->request(skip));
  ASSERT_TRUE(repo_->request(make(RemediationAction::Restart, kAt, ActionResult::DryRun)));
  auto rows = repo_->forDevice(kUdid, 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].result, ActionResult::DryRun);  // newest first
  EXPECT_EQ((*rows)[1].reason, "passcode");
  EXPECT_EQ((*rows)[1].finishedAt, kAt);
  EXPECT_TRUE(repo_->unfinished(RemediationAction::Restart)->empty());
}

TEST_F(ActionRepositoryTest, CountsForTheLimitsLeaveSkipsOut) {
  ASSERT_TRUE(repo_->request(make(RemediationAction::Restart, kAt - hours(2), ActionResult::Done)));
  ASSERT_TRUE(repo_->request(
      make(RemediationAction::Restart, kAt - minutes(30), ActionResult::Done, "other")));
  ASSERT_TRUE(repo_->request(make(RemediationAction::Restart, kAt - minutes(20))));  // pending
  ASSERT_TRUE(
      repo_->request(make(RemediationAction::Restart, kAt - minutes(10), ActionResult::Skipped)));
  ASSERT_TRUE(repo_->request(
      make(RemediationAction::EnableIcloudBackup, kAt - minutes(5), ActionResult::Done)));
  EXPECT_EQ(*repo_->countSince(RemediationAction::Restart, kAt - hours(1)), 2);
  EXPECT_EQ(*repo_->countSince(RemediationAction::Restart, kAt - hours(3)), 3);
  EXPECT_EQ(*repo_->lastCounted(kUdid, RemediationAction::Restart), kAt - minutes(20));
  EXPECT_EQ(*repo_->lastCounted("nobody", RemediationAction::Restart), std::nullopt);
  auto last = repo_->last(kUdid, RemediationAction::Restart);
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->result, ActionResult::Skipped);
  EXPECT_EQ(repo_->unfinished(RemediationAction::Restart)->size(), 1u);
}

TEST_F(ActionRepositoryTest, UnfinishedAtStartUpBecomesInterruptedAndStillCounts) {
  auto id = repo_->request(make(RemediationAction::Restart, kAt));
  ASSERT_TRUE(id);
  ASSERT_TRUE(repo_->markStarted(*id, kAt));
  ASSERT_TRUE(repo_->finish(*id, ActionResult::Done, "", "pending", std::nullopt));
  repo_.reset();  // the daemon stops with the restart in flight
  auto reopened = ActionRepository::open(dir_.file("a.db"));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened->interruptUnfinished(kAt + minutes(1)), 1);
  EXPECT_EQ(*reopened->interruptUnfinished(kAt + minutes(2)), 0);
  auto r = reopened->byId(*id);
  EXPECT_EQ((*r)->result, ActionResult::Interrupted);
  EXPECT_EQ((*r)->finishedAt, kAt + minutes(1));
  EXPECT_EQ(*reopened->countSince(RemediationAction::Restart, kAt), 1);
  EXPECT_EQ(*reopened->lastCounted(kUdid, RemediationAction::Restart), kAt);
}

TEST_F(ActionRepositoryTest, SurvivesForgettingTheDevice) {
  ASSERT_TRUE(repo_->request(make(RemediationAction::Restart, kAt, ActionResult::Done)));
  auto store = Store::open(dir_.file("a.db"), OpenMode::ReadWrite);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->deviceAttached(kUdid, kAt));
  ASSERT_TRUE((*store)->forget(kUdid, kAt + seconds(1)));
  EXPECT_EQ(*repo_->lastCounted(kUdid, RemediationAction::Restart), kAt);
}

TEST_F(ActionRepositoryTest, ReadOnlyOpenReads) {
  ASSERT_TRUE(repo_->request(make(RemediationAction::Restart, kAt, ActionResult::DryRun)));
  auto ro = ActionRepository::openReadOnly(dir_.file("a.db"));
  ASSERT_TRUE(ro) << ro.error().message;
  EXPECT_EQ(ro->since(kAt - seconds(1))->size(), 1u);
  EXPECT_FALSE(ro->request(make(RemediationAction::Restart, kAt)));
}

TEST_F(ActionRepositoryTest, ThePauseSwitchSurvivesAReopen) {
  EXPECT_EQ(*repo_->pausedUntil(), std::nullopt) << "no row: not paused";
  ASSERT_TRUE(repo_->pause(kAt, std::nullopt));
  auto reopened = ActionRepository::open(dir_.file("a.db"));
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*reopened->pausedUntil(), TimePoint::max()) << "until resume";
  ASSERT_TRUE(reopened->pause(kAt, kAt + hours(2)));  // replaces the row
  EXPECT_EQ(*reopened->pausedUntil(), kAt + hours(2));
  ASSERT_TRUE(reopened->resume());
  EXPECT_EQ(*repo_->pausedUntil(), std::nullopt);
}

TEST_F(ActionRepositoryTest, AcknowledgementsInForceAndLocksSeenComeFromTheirTables) {
  auto db = Database::open(dir_.file("a.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  const auto t0 = toUnixSeconds(kAt);
  ASSERT_TRUE(db->exec("INSERT INTO alert_acks (udid, condition, until, created_at) VALUES ('" +
                       kUdid + "', 'stale_unexplained', NULL, 1), ('" + kUdid +
                       "', 'icloud_backup_disabled', " + std::to_string(t0 - 1) + ", 1), ('" +
                       kUdid + "', '', " + std::to_string(t0 + 60) + ", 1)"));
  auto acks = repo_->acknowledged(kUdid, kAt);
  ASSERT_TRUE(acks) << acks.error().message;
  EXPECT_EQ(*acks, (std::set<std::string>{"", "stale_unexplained"})) << "the expired one is out";
  EXPECT_TRUE(repo_->acknowledged("other", kAt)->empty());

  EXPECT_FALSE(*repo_->everSeenLocked(kUdid)) << "no device row yet";
  ASSERT_TRUE(db->exec("INSERT INTO devices (id, udid, first_seen, last_seen) VALUES (7, '" +
                       kUdid + "', 1, 1)"));
  ASSERT_TRUE(
      db->exec("INSERT INTO condition_intervals (device_id, condition_id, severity, "
               "opened, closed) VALUES (7, 'trust_pending', 'warning', 1, 2)"));
  EXPECT_FALSE(*repo_->everSeenLocked(kUdid));
  ASSERT_TRUE(
      db->exec("INSERT INTO condition_intervals (device_id, condition_id, severity, "
               "opened, closed) VALUES (7, 'passcode_locked', 'warning', 3, 4)"));
  EXPECT_TRUE(*repo_->everSeenLocked(kUdid)) << "a closed interval still counts";
}

TEST_F(ActionRepositoryTest, LocalBackupsKeepTheLastFinishedBackupAcrossFailedRuns) {
  const std::string dir = "/var/lib/ibackupmon/backups";
  EXPECT_TRUE(repo_->localBackups()->empty());
  auto id = repo_->request(make(RemediationAction::LocalBackup, kAt));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ((*repo_->byId(*id))->action, RemediationAction::LocalBackup);

  ASSERT_TRUE(repo_->localBackupStarted(kUdid, dir, kAt));
  ActionRepository::LocalBackupEnd done;
  done.at = kAt + minutes(4);
  done.result = "done";
  done.finished = true;
  done.full = true;
  done.bytes = 4'100'000'000;
  done.encrypted = true;
  ASSERT_TRUE(repo_->localBackupEnded(kUdid, done));

  ASSERT_TRUE(repo_->localBackupStarted(kUdid, dir, kAt + hours(24)));
  for (int i = 0; i < 2; ++i) {
    ActionRepository::LocalBackupEnd failed;
    failed.at = kAt + hours(24) + minutes(3 + i);
    failed.result = "failed";
    failed.reason = "needs_passcode";
    ASSERT_TRUE(repo_->localBackupEnded(kUdid, failed));
  }
  auto b = repo_->localBackup(kUdid);
  ASSERT_TRUE(b && *b) << "the row survives failed runs";
  EXPECT_EQ((*b)->directory, dir);
  EXPECT_EQ((*b)->finishedAt, kAt + minutes(4)) << "a failed run keeps the last finished one";
  EXPECT_EQ((*b)->fullAt, kAt + minutes(4));
  EXPECT_EQ((*b)->bytes, 4'100'000'000u);
  EXPECT_TRUE((*b)->encrypted);
  EXPECT_EQ((*b)->lastStartedAt, kAt + hours(24));
  EXPECT_EQ((*b)->lastResult, "failed");
  EXPECT_EQ((*b)->lastReason, "needs_passcode");
  EXPECT_EQ((*b)->failuresInRow, 2);

  done.at = kAt + hours(48);
  done.full = false;
  ASSERT_TRUE(repo_->localBackupEnded(kUdid, done));
  b = repo_->localBackup(kUdid);
  EXPECT_EQ((*b)->failuresInRow, 0) << "a finished run ends the series";
  EXPECT_EQ((*b)->fullAt, kAt + minutes(4)) << "an incremental run keeps the last full time";
  EXPECT_EQ((*b)->finishedAt, kAt + hours(48));

  ASSERT_TRUE(repo_->removeLocalBackup(kUdid));
  EXPECT_FALSE(*repo_->localBackup(kUdid));
}

TEST_F(ActionRepositoryTest, TheTableRefusesUnknownNames) {
  auto db = Database::open(dir_.file("a.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  EXPECT_FALSE(
      db->exec("INSERT INTO actions (udid, action, trigger, requested_at) VALUES ('x', 'wipe', "
               "'policy', 1)"));
  EXPECT_FALSE(
      db->exec("INSERT INTO actions (udid, action, trigger, requested_at, result) VALUES ('x', "
               "'restart', 'policy', 1, 'maybe')"));
}

}  // namespace
}  // namespace ibackupmon

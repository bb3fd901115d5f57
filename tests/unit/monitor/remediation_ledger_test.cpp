// SPDX-License-Identifier: Apache-2.0
#include "app/remediation_ledger.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "unit/store/temp_dir.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kUdid = "00008030-000000000000000A";
const RemediationDecision kAct{DecisionKind::Act, ""};
const RemediationDecision kDry{DecisionKind::DryRun, ""};
RemediationDecision skip(const char* reason) {
  return {DecisionKind::Skip, reason};
}

class RemediationLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  // A fresh connection and ledger on the same file: what a daemon restart sees.
  void reopen() {
    ledger_.reset();
    repo_.reset();
    auto r = ActionRepository::open(dir_.file("l.db"));
    ASSERT_TRUE(r) << r.error().message;
    repo_.emplace(std::move(*r));
    ledger_.emplace(*repo_, clock_);
  }
  std::size_t rows() { return repo_->forDevice(kUdid, 0)->size(); }
  std::int64_t policy(const RemediationDecision& d,
                      RemediationAction a = RemediationAction::Restart) {
    auto id = ledger_->record(kUdid, a, ActionTrigger::Policy, d, "");
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : -1;
  }

  testing::TempDir dir_;
  std::shared_ptr<FakeClock> clock_ =
      std::make_shared<FakeClock>(TimePoint{} + seconds(1'800'000'000));
  std::optional<ActionRepository> repo_;
  std::optional<RemediationLedger> ledger_;
};

TEST_F(RemediationLedgerTest, ASkipIsRecordedOnlyWhenTheDecisionOrReasonChanges) {
  EXPECT_EQ(policy(RemediationDecision{}), 0);
  EXPECT_EQ(rows(), 0u);
  policy(skip("passcode"));
  clock_->advance(minutes(5));
  policy(skip("passcode"));
  EXPECT_EQ(rows(), 1u);
  policy(skip("off_power"));
  EXPECT_EQ(rows(), 2u);
  policy(RemediationDecision{});  // no longer a candidate
  policy(skip("off_power"));      // a candidate again: a new decision
  EXPECT_EQ(rows(), 3u);
  // The other action keeps its own last decision.
  policy(skip("off_power"), RemediationAction::EnableIcloudBackup);
  EXPECT_EQ(rows(), 4u);
}

TEST_F(RemediationLedgerTest, TheLastSkipIsRememberedAcrossADaemonRestart) {
  policy(skip("passcode"));
  reopen();
  ASSERT_TRUE(ledger_->recover());
  policy(skip("passcode"));
  EXPECT_EQ(rows(), 1u);
  policy(skip("window"));
  EXPECT_EQ(rows(), 2u);
}

TEST_F(RemediationLedgerTest, DryRunsAndManualRequestsAlwaysLeaveARow) {
  policy(kDry);
  policy(kDry);
  EXPECT_EQ(rows(), 2u);
  EXPECT_EQ(repo_->forDevice(kUdid, 1)->front().result, ActionResult::DryRun);
  auto id = ledger_->record(kUdid, RemediationAction::Restart, ActionTrigger::Manual,
                            skip("locked"), "from the helpdesk");
  ASSERT_TRUE(id);
  id = ledger_->record(kUdid, RemediationAction::Restart, ActionTrigger::Manual, skip("locked"),
                       "again");
  ASSERT_TRUE(id);
  const auto all = *repo_->forDevice(kUdid, 0);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].comment, "again");
  EXPECT_EQ(all[0].trigger, ActionTrigger::Manual);
  EXPECT_EQ(all[0].result, ActionResult::Skipped);
  EXPECT_EQ(all[0].reason, "locked");
}

TEST_F(RemediationLedgerTest, AnActIsPendingUntilFinishedAndFeedsTheCounts) {
  const auto id = policy(kAct);
  ASSERT_GT(id, 0);
  ASSERT_TRUE(ledger_->started(id));
  ASSERT_TRUE(ledger_->finished(id, ActionResult::Done, "", action_outcome::kPending, false));
  bool restartInFlight = false;
  auto h = ledger_->history("other-device", RemediationAction::Restart, &restartInFlight);
  ASSERT_TRUE(h);
  EXPECT_TRUE(restartInFlight);
  EXPECT_FALSE(h->deviceActionInFlight);
  EXPECT_EQ(h->hostRestartsLastHour, 1);
  h = ledger_->history(kUdid, RemediationAction::Restart);
  EXPECT_TRUE(h->deviceActionInFlight);
  EXPECT_EQ(h->lastCounted, clock_->now());
  clock_->advance(seconds(40));
  ASSERT_TRUE(ledger_->finished(id, ActionResult::Done, "", action_outcome::kCameBack));
  restartInFlight = false;
  h = ledger_->history(kUdid, RemediationAction::Restart, &restartInFlight);
  EXPECT_FALSE(restartInFlight);
  EXPECT_FALSE(h->deviceActionInFlight);
  clock_->advance(hours(1));
  EXPECT_EQ(ledger_->history(kUdid, RemediationAction::Restart)->hostRestartsLastHour, 0);
  const auto row = **repo_->byId(id);
  EXPECT_EQ(row.outcome, "came_back");
  EXPECT_EQ(row.finishedAt, row.requestedAt + seconds(40));
}

TEST_F(RemediationLedgerTest, AnInterruptedRestartStillHoldsMinIntervalAndTheHourlyLimit) {
  const auto id = policy(kAct);
  ASSERT_TRUE(ledger_->finished(id, ActionResult::Done, "", action_outcome::kPending, false));
  reopen();  // the daemon was killed while the device was away
  clock_->advance(minutes(1));
  EXPECT_EQ(*ledger_->recover(), 1);
  bool restartInFlight = false;
  auto h = ledger_->history(kUdid, RemediationAction::Restart, &restartInFlight);
  ASSERT_TRUE(h);
  EXPECT_FALSE(restartInFlight);
  EXPECT_EQ(h->hostRestartsLastHour, 1);
  ASSERT_TRUE(h->lastCounted);
  RemediationConfig policyConfig;
  policyConfig.restartAfter = hours(1);
  RemediationDeviceFacts device;
  device.udid = kUdid;
  device.attached = true;
  device.everRead = true;
  device.onPower = true;
  device.batteryLevel = 90;
  device.lastBackup = clock_->now() - minutes(1);  // backed up since: a new episode
  device.openConditions["stale_unexplained"] = clock_->now() - hours(2);
  RemediationHostFacts host;
  host.now = clock_->now();
  host.fleetSize = 10;
  EXPECT_EQ(decideRemediation(RemediationAction::Restart, ActionTrigger::Policy, device, host, *h,
                              policyConfig, BackupExpect::ICloud),
            skip("min_interval"));
  EXPECT_EQ((**repo_->byId(id)).result, ActionResult::Interrupted);
}

}  // namespace
}  // namespace ibackupmon

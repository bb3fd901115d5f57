// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/remediation_decision.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kNow = TimePoint{} + hours(24 * 20000);

// A restart candidate that passes every rule: stale with no visible cause for 4 days, seen
// unlocked, on power at 80 %, on a quiet host at 22:00.
struct Fixture {
  RemediationDeviceFacts device;
  RemediationHostFacts host;
  RemediationHistory history;
  RemediationConfig policy;
  BackupExpect expect = BackupExpect::ICloud;

  Fixture() {
    device.udid = "00008030-000000000000000A";
    device.attached = true;
    device.trust = TrustState::Trusted;
    device.everRead = true;
    device.batteryLevel = 80;
    device.onPower = true;
    device.cloudBackupEnabled = true;
    device.icloudSignedIn = true;
    device.openConditions["stale_unexplained"] = kNow - hours(96);
    device.lastBackup = kNow - hours(130);
    host.now = kNow;
    host.localMinuteOfDay = 22 * 60;
    host.fleetSize = 10;
    host.fleetStaleUnexplained = 1;
    policy.restartAfter = hours(72);
  }

  RemediationDecision restart(ActionTrigger t = ActionTrigger::Policy, bool dry = false) const {
    return decideRemediation(RemediationAction::Restart, t, device, host, history, policy, expect,
                             dry);
  }
  RemediationDecision enable(ActionTrigger t = ActionTrigger::Policy) const {
    return decideRemediation(RemediationAction::EnableIcloudBackup, t, device, host, history,
                             policy, expect);
  }
  // Turns the fixture into an enable candidate.
  void switchOff() {
    policy.enableIcloudBackup = true;
    device.cloudBackupEnabled = false;
    device.openConditions["icloud_backup_disabled"] = kNow - hours(1);
  }
};

const RemediationDecision kAct{DecisionKind::Act, ""};
const RemediationDecision kNone{};
RemediationDecision skip(const char* reason) {
  return {DecisionKind::Skip, reason};
}

TEST(RemediationDecision, HealthyCandidateIsRestarted) {
  Fixture f;
  EXPECT_EQ(f.restart(), kAct);
}

// The caller's cheap test: a device it rules out for an action gets None from the decision, and
// every candidate of the fixture passes it.
TEST(RemediationDecision, CandidateTestAgreesWithTheDecision) {
  Fixture f;
  f.switchOff();
  const auto candidate = [&f](RemediationAction a) {
    return isRemediationCandidate(a, f.device.openConditions, f.host.now, f.policy);
  };
  EXPECT_TRUE(candidate(RemediationAction::Restart));
  EXPECT_TRUE(candidate(RemediationAction::EnableIcloudBackup));
  EXPECT_FALSE(candidate(RemediationAction::LocalBackup)) << "local backups decide elsewhere";

  f.policy.restartAfter = hours(97);  // stale_unexplained has been open for 96 h
  EXPECT_FALSE(candidate(RemediationAction::Restart));
  EXPECT_EQ(f.restart(), kNone);
  f.policy.restartAfter = Duration::zero();
  EXPECT_FALSE(candidate(RemediationAction::Restart));
  EXPECT_EQ(f.restart(), kNone);

  f.policy.enableIcloudBackup = false;
  EXPECT_FALSE(candidate(RemediationAction::EnableIcloudBackup));
  EXPECT_EQ(f.enable(), kNone);
  f.policy.enableIcloudBackup = true;
  f.device.openConditions.erase("icloud_backup_disabled");
  EXPECT_FALSE(candidate(RemediationAction::EnableIcloudBackup));
  EXPECT_EQ(f.enable(), kNone);
}

TEST(RemediationDecision, DefaultPolicyDoesNothing) {
  Fixture f;
  f.policy = RemediationConfig{};
  EXPECT_EQ(f.restart(), kNone);
  f.switchOff();
  f.policy = RemediationConfig{};
  EXPECT_EQ(f.enable(), kNone);
}

TEST(RemediationDecision, RestartOnlyAfterRestartAfterOfUnexplainedStaleness) {
  Fixture f;
  f.device.openConditions["stale_unexplained"] = kNow - hours(71);
  EXPECT_EQ(f.restart(), kNone);
  f.device.openConditions.erase("stale_unexplained");
  f.device.openConditions["backup_stale"] = kNow - hours(200);
  EXPECT_EQ(f.restart(), kNone);
}

TEST(RemediationDecision, OncePerStaleEpisode) {
  Fixture f;
  f.history.lastCounted = kNow - hours(50);  // after the last backup: this episode
  f.policy.minInterval = hours(1);
  EXPECT_EQ(f.restart(), skip("restarted_this_episode"));
  f.device.lastBackup = kNow - hours(40);  // a backup since: a new episode
  EXPECT_EQ(f.restart(), kAct);
  f.device.lastBackup.reset();  // never backed up: any restart was this episode
  EXPECT_EQ(f.restart(), skip("restarted_this_episode"));
}

TEST(RemediationDecision, HostWideHolds) {
  Fixture f;
  f.host.appleOutage = true;
  EXPECT_EQ(f.restart(), skip("apple_outage"));
  f.host.appleOutage = false;
  f.host.usbmuxdHealthy = false;
  EXPECT_EQ(f.restart(), skip("usbmuxd_down"));
  f.host.usbmuxdHealthy = true;
  f.host.fleetStaleUnexplained = 3;  // 3 of 10 > 0.2
  EXPECT_EQ(f.restart(), skip("fleet_wide"));
  f.host.fleetStaleUnexplained = 2;  // exactly the fraction is allowed
  EXPECT_EQ(f.restart(), kAct);
  f.host.restartInFlight = true;
  EXPECT_EQ(f.restart(), skip("restart_in_flight"));
}

TEST(RemediationDecision, PowerAndBattery) {
  Fixture f;
  f.device.onPower = false;
  EXPECT_EQ(f.restart(), skip("off_power"));
  f.device.onPower.reset();
  EXPECT_EQ(f.restart(), skip("off_power"));
  f.device.onPower = true;
  f.device.batteryLevel = 29;
  EXPECT_EQ(f.restart(), skip("battery_low"));
  f.device.batteryLevel = 30;
  EXPECT_EQ(f.restart(), kAct);
  f.device.batteryLevel.reset();
  EXPECT_EQ(f.restart(), skip("battery_low"));
}

TEST(RemediationDecision, WindowInHostLocalTime) {
  Fixture f;
  f.policy.window = parseDailyWindow("20:00-06:00");
  f.host.localMinuteOfDay = 12 * 60;
  EXPECT_EQ(f.restart(), skip("outside_window"));
  f.host.localMinuteOfDay = 3 * 60;
  EXPECT_EQ(f.restart(), kAct);
}

TEST(RemediationDecision, PasscodeSeenLockedOrNeverSeen) {
  Fixture f;
  f.device.everSeenLocked = true;
  EXPECT_EQ(f.restart(), skip("passcode"));
  f.device.everSeenLocked = false;
  f.device.everRead = false;
  EXPECT_EQ(f.restart(), skip("passcode"));
  f.policy.restartPasscodeDevices = true;
  EXPECT_EQ(f.restart(), kAct);
}

TEST(RemediationDecision, RateLimitAndMinInterval) {
  Fixture f;
  f.history.hostRestartsLastHour = 5;
  EXPECT_EQ(f.restart(), skip("rate_limit"));
  f.policy.maxRestartsPerHour = 6;
  EXPECT_EQ(f.restart(), kAct);
  f.policy.maxRestartsPerHour = 0;
  f.history.hostRestartsLastHour = 0;
  EXPECT_EQ(f.restart(), skip("rate_limit"));
  f.policy.maxRestartsPerHour = 5;
  // An earlier restart in a previous episode, but within min_interval.
  f.history.lastCounted = kNow - hours(23);
  f.device.lastBackup = kNow - hours(20);
  EXPECT_EQ(f.restart(), skip("min_interval"));
  f.history.lastCounted = kNow - hours(24);
  EXPECT_EQ(f.restart(), kAct);
}

TEST(RemediationDecision, DeviceStateHolds) {
  Fixture f;
  f.history.deviceActionInFlight = true;
  EXPECT_EQ(f.restart(), skip("action_in_flight"));
  f.history.deviceActionInFlight = false;
  f.device.trust = TrustState::PasscodeLocked;
  EXPECT_EQ(f.restart(), skip("locked"));
  f.device.trust = TrustState::TrustPending;
  EXPECT_EQ(f.restart(), skip("untrusted"));
  f.device.trust = TrustState::Trusted;
  f.device.attached = false;
  EXPECT_EQ(f.restart(), skip("not_attached"));
}

TEST(RemediationDecision, TargetingPauseAndAcknowledgement) {
  Fixture f;
  f.policy.udids = {"other"};
  EXPECT_EQ(f.restart(), skip("not_targeted"));
  f.policy.udids = {f.device.udid};
  EXPECT_EQ(f.restart(), kAct);
  f.policy.excludeUdids = {f.device.udid};
  EXPECT_EQ(f.restart(), skip("excluded"));
  f.policy.excludeUdids.clear();
  f.host.paused = true;
  EXPECT_EQ(f.restart(), skip("paused"));
  f.host.paused = false;
  f.device.acknowledgedConditions.insert("stale_unexplained");
  EXPECT_EQ(f.restart(), skip("acknowledged"));
  f.device.acknowledgedConditions.clear();
  f.device.deviceAcknowledged = true;
  EXPECT_EQ(f.restart(), skip("acknowledged"));
}

TEST(RemediationDecision, DryRunDecidesUnderTheSameLimits) {
  Fixture f;
  f.policy.dryRun = true;
  EXPECT_EQ(f.restart(), (RemediationDecision{DecisionKind::DryRun, ""}));
  f.history.hostRestartsLastHour = 5;
  EXPECT_EQ(f.restart(), skip("rate_limit"));
  f.policy.dryRun = false;
  f.history.hostRestartsLastHour = 0;
  EXPECT_EQ(f.restart(ActionTrigger::Manual, true),
            (RemediationDecision{DecisionKind::DryRun, ""}));
}

TEST(RemediationDecision, ManualSkipsTargetingButNotSafety) {
  Fixture f;
  f.policy = RemediationConfig{};  // nothing enabled
  f.policy.excludeUdids = {f.device.udid};
  f.host.paused = true;
  f.device.openConditions.clear();
  EXPECT_EQ(f.restart(), kNone);
  EXPECT_EQ(f.restart(ActionTrigger::Manual), kAct);
  f.device.trust = TrustState::PasscodeLocked;
  EXPECT_EQ(f.restart(ActionTrigger::Manual), skip("locked"));
  f.device.trust = TrustState::Trusted;
  f.device.everSeenLocked = true;
  EXPECT_EQ(f.restart(ActionTrigger::Manual), skip("passcode"));
}

TEST(RemediationDecision, EnableNeedsPositiveAccountEvidence) {
  Fixture f;
  f.switchOff();
  EXPECT_EQ(f.enable(), kAct);
  f.device.icloudSignedIn.reset();
  EXPECT_EQ(f.enable(), skip("no_account_evidence"));
  f.device.icloudSignedIn = false;
  EXPECT_EQ(f.enable(), skip("no_account_evidence"));
}

TEST(RemediationDecision, EnableOnlyUnderExpectIcloudAndNeverFights) {
  Fixture f;
  f.switchOff();
  f.expect = BackupExpect::Either;
  EXPECT_EQ(f.enable(), skip("expect_not_icloud"));
  f.expect = BackupExpect::ICloud;
  f.device.openConditions[kTurnedOffAgainCondition] = kNow;
  EXPECT_EQ(f.enable(), skip("turned_off_again"));
  EXPECT_EQ(f.enable(ActionTrigger::Manual), skip("turned_off_again"));
}

TEST(RemediationDecision, EnableIgnoresRestartOnlyRules) {
  Fixture f;
  f.switchOff();
  f.device.everSeenLocked = true;  // a locked-once device may still have its switch turned on
  f.device.onPower = false;
  f.host.appleOutage = true;
  EXPECT_EQ(f.enable(), kAct);
  f.device.cloudBackupEnabled = true;
  EXPECT_EQ(f.enable(ActionTrigger::Manual), skip("already_on"));
}

}  // namespace
}  // namespace ibackupmon

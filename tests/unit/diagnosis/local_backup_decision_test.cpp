// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/local_backup_decision.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

using std::chrono::hours;

const TimePoint kLocalNow = TimePoint{} + hours(24 * 20000);
constexpr std::uint64_t kGB = 1'000'000'000;

// A candidate that passes every rule: backup_stale open, attached and trusted, never seen locked
// on iOS 17.5, on power at 80 %, 20 GB used, no local backup yet (a full run), 500 GB free, at
// 22:00 on a quiet host.
struct LocalFixture {
  LocalBackupDeviceFacts device;
  LocalBackupHostFacts host;
  RemediationHistory history;
  LocalBackupConfig config;
  RemediationConfig remediation;
  BackupExpect expect = BackupExpect::ICloud;

  LocalFixture() {
    device.udid = "00008030-000000000000000B";
    device.attached = true;
    device.trust = TrustState::Trusted;
    device.iosVersion = "17.5";
    device.batteryLevel = 80;
    device.onPower = true;
    device.openConditions["backup_stale"] = kLocalNow - hours(40);
    device.requiresEncryption = false;
    device.willEncrypt = false;
    device.usedBytes = 20 * kGB;
    host.now = kLocalNow;
    host.localMinuteOfDay = 22 * 60;
    host.freeBytes = 500 * kGB;
    host.totalBytes = 0;
    config.enable = true;
  }

  LocalBackupDecision decide(ActionTrigger t = ActionTrigger::Policy, bool dry = false) const {
    return decideLocalBackup(device, host, history, config, remediation, expect, t, dry);
  }
  // A device with a finished local backup of `bytes`, its last full run `fullAge` ago.
  void backedUp(std::uint64_t bytes, Duration fullAge) {
    device.lastLocalBytes = bytes;
    device.lastLocalFull = kLocalNow - fullAge;
  }
};

const LocalBackupDecision kNothing{};

LocalBackupDecision fullRun() {
  return {DecisionKind::Act, "", true};
}
LocalBackupDecision incrementalRun() {
  return {DecisionKind::Act, "", false};
}
LocalBackupDecision held(const char* reason, bool full = true) {
  return {DecisionKind::Skip, reason, full};
}

TEST(LocalBackupDecision, HealthyCandidateGetsAFullRun) {
  LocalFixture f;
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, DefaultConfigDoesNothing) {
  LocalFixture f;
  f.config = LocalBackupConfig{};
  EXPECT_EQ(f.decide(), kNothing);
}

TEST(LocalBackupDecision, OnlyDevicesWithBackupStaleOpen) {
  LocalFixture f;
  f.device.openConditions.erase("backup_stale");
  f.device.openConditions["stale_unexplained"] = kLocalNow;
  f.device.openConditions["never_backed_up"] = kLocalNow;
  EXPECT_EQ(f.decide(), kNothing);
}

TEST(LocalBackupDecision, OnlyUnderExpectIcloud) {
  LocalFixture f;
  f.expect = BackupExpect::Either;
  EXPECT_EQ(f.decide(), kNothing);
  f.expect = BackupExpect::Computer;
  EXPECT_EQ(f.decide(), kNothing);
  EXPECT_EQ(f.decide(ActionTrigger::Manual), held("expect_not_icloud"));
}

TEST(LocalBackupDecision, TargetingAndAcknowledgementMakeNoCandidate) {
  LocalFixture f;
  f.remediation.udids = {"other"};
  EXPECT_EQ(f.decide(), kNothing);
  f.remediation.udids = {"other", f.device.udid};
  EXPECT_EQ(f.decide(), fullRun());
  f.remediation.excludeUdids = {f.device.udid};
  EXPECT_EQ(f.decide(), kNothing);
  f.remediation.excludeUdids.clear();
  f.device.acknowledgedConditions.insert("backup_stale");
  EXPECT_EQ(f.decide(), kNothing);
  f.device.acknowledgedConditions = {"battery_low"};  // another condition does not count
  EXPECT_EQ(f.decide(), fullRun());
  f.device.deviceAcknowledged = true;
  EXPECT_EQ(f.decide(), kNothing);
}

// The cheap first test rules out exactly what the whole decision makes None (acknowledgements
// apart, which it leaves to the decision), and never a device the decision would consider.
TEST(LocalBackupDecision, CheapCandidateTestAgreesWithTheDecision) {
  LocalFixture f;
  const auto cheap = [&f] {
    return mayBeLocalBackupCandidate(f.device.udid, f.device.openConditions, f.config,
                                     f.remediation, f.expect);
  };
  EXPECT_TRUE(cheap());
  f.host.paused = true;  // a host fact: the device is still a candidate, held back
  f.device.trust = TrustState::PasscodeLocked;
  EXPECT_TRUE(cheap());
  EXPECT_NE(f.decide(), kNothing);
  f.device.acknowledgedConditions.insert("backup_stale");  // left to the decision
  EXPECT_TRUE(cheap());
  EXPECT_EQ(f.decide(), kNothing);

  const auto rulesOut = [&f, &cheap](auto change) {
    LocalFixture saved = f;
    change(f);
    const bool out = !cheap();
    EXPECT_EQ(f.decide(), kNothing);
    f = saved;
    return out;
  };
  f = LocalFixture{};
  EXPECT_TRUE(rulesOut([](LocalFixture& x) { x.config.enable = false; }));
  EXPECT_TRUE(rulesOut([](LocalFixture& x) { x.expect = BackupExpect::Either; }));
  EXPECT_TRUE(rulesOut([](LocalFixture& x) { x.device.openConditions.clear(); }));
  EXPECT_TRUE(rulesOut([](LocalFixture& x) { x.remediation.udids = {"other"}; }));
  EXPECT_TRUE(rulesOut([](LocalFixture& x) { x.remediation.excludeUdids = {x.device.udid}; }));
}

TEST(LocalBackupDecision, Paused) {
  LocalFixture f;
  f.host.paused = true;
  EXPECT_EQ(f.decide(), held("paused"));
}

TEST(LocalBackupDecision, WindowInHostLocalTime) {
  LocalFixture f;  // the default window, 20:00-06:00
  f.host.localMinuteOfDay = 12 * 60;
  EXPECT_EQ(f.decide(), held("outside_local_backup_window"));
  f.host.localMinuteOfDay = 6 * 60;
  EXPECT_EQ(f.decide(), held("outside_local_backup_window"));
  f.host.localMinuteOfDay = 5 * 60 + 59;
  EXPECT_EQ(f.decide(), fullRun());
  f.host.localMinuteOfDay = 12 * 60;
  f.config.window.reset();  // "" = any time
  EXPECT_EQ(f.decide(), fullRun());
  // remediation.window is for restarts only.
  f.remediation.window = parseDailyWindow("01:00-02:00");
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, UsbmuxdAndAttachment) {
  LocalFixture f;
  f.host.usbmuxdHealthy = false;
  EXPECT_EQ(f.decide(), held("usbmuxd_down"));
  f.host.usbmuxdHealthy = true;
  f.device.attached = false;
  EXPECT_EQ(f.decide(), held("not_attached"));
  f.device.attached = true;
  f.history.deviceActionInFlight = true;
  EXPECT_EQ(f.decide(), held("action_in_flight"));
}

TEST(LocalBackupDecision, TrustOfTheLatestCycle) {
  LocalFixture f;
  const std::pair<TrustState, const char*> cases[] = {
      {TrustState::PasscodeLocked, "locked"}, {TrustState::TrustPending, "untrusted"},
      {TrustState::TrustDenied, "untrusted"}, {TrustState::NotPaired, "unpaired"},
      {TrustState::Unknown, "trust_unknown"},
  };
  for (const auto& [trust, reason] : cases) {
    f.device.trust = trust;
    EXPECT_EQ(f.decide(), held(reason)) << reason;
    EXPECT_EQ(f.decide(ActionTrigger::Manual), held(reason)) << reason;
  }
}

TEST(LocalBackupDecision, BatteryHotPowerAndLevel) {
  LocalFixture f;
  f.device.openConditions["battery_hot"] = kLocalNow;
  EXPECT_EQ(f.decide(), held("battery_hot"));
  f.device.openConditions.erase("battery_hot");
  f.device.onPower = false;
  EXPECT_EQ(f.decide(), held("off_power"));
  f.device.onPower.reset();
  EXPECT_EQ(f.decide(), held("off_power"));
  f.device.onPower = true;
  f.device.batteryLevel = 29;
  EXPECT_EQ(f.decide(), held("battery_below_minimum"));
  f.device.batteryLevel = 30;
  EXPECT_EQ(f.decide(), fullRun());
  f.device.batteryLevel.reset();
  EXPECT_EQ(f.decide(), held("battery_below_minimum"));
  f.config.minBattery = 0;  // unknown is still unsure
  EXPECT_EQ(f.decide(), held("battery_below_minimum"));
  f.device.batteryLevel = 0;
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, PasscodeDevicesFromIos16Point1) {
  LocalFixture f;
  f.device.everSeenLocked = true;
  for (const char* v : {"16.1", "16.1.2", "16.2", "17", "18.0.1", "26.0", "garbage", "16.", ""}) {
    f.device.iosVersion = v;
    EXPECT_EQ(f.decide(), held("needs_passcode")) << v;
  }
  f.device.iosVersion.reset();
  EXPECT_EQ(f.decide(), held("needs_passcode"));
  for (const char* v : {"16.0.3", "16", "16.0", "15.7.9", "12.5.7"}) {
    f.device.iosVersion = v;
    EXPECT_EQ(f.decide(), fullRun()) << v;
  }
  // Never seen locked: no passcode prompt expected on any version.
  f.device.everSeenLocked = false;
  f.device.iosVersion = "18.1";
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, TryPasscodeDevicesOncePerAttach) {
  LocalFixture f;
  f.device.everSeenLocked = true;
  f.config.tryPasscodeDevices = true;
  EXPECT_EQ(f.decide(), fullRun());
  f.device.passcodeTriedThisAttach = true;
  EXPECT_EQ(f.decide(), held("needs_passcode"));
}

TEST(LocalBackupDecision, PasscodeMarkAlwaysHolds) {
  LocalFixture f;
  f.device.needsPasscodeMark = true;  // even on a device never seen locked
  EXPECT_EQ(f.decide(), held("passcode_not_entered"));
  f.config.tryPasscodeDevices = true;
  EXPECT_EQ(f.decide(), held("passcode_not_entered"));
  EXPECT_EQ(f.decide(ActionTrigger::Manual), held("passcode_not_entered"));
}

TEST(LocalBackupDecision, EncryptionRequiredButOff) {
  LocalFixture f;
  f.device.requiresEncryption = true;
  EXPECT_EQ(f.decide(), held("encryption_required"));
  f.device.willEncrypt.reset();
  EXPECT_EQ(f.decide(), held("encryption_required"));
  f.device.willEncrypt = true;  // encrypted with someone else's password: still taken
  EXPECT_EQ(f.decide(), fullRun());
  f.device.requiresEncryption.reset();
  f.device.willEncrypt = false;
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, MaxConcurrent) {
  LocalFixture f;
  f.host.running = 1;
  EXPECT_EQ(f.decide(), held("max_concurrent"));
  f.config.maxConcurrent = 2;
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, MinIntervalFromRemediation) {
  LocalFixture f;
  f.history.lastCounted = kLocalNow - hours(23);
  EXPECT_EQ(f.decide(), held("min_interval"));
  f.history.lastCounted = kLocalNow - hours(24);
  EXPECT_EQ(f.decide(), fullRun());
  f.remediation.minInterval = hours(48);
  EXPECT_EQ(f.decide(), held("min_interval"));
}

TEST(LocalBackupDecision, FullRunNeedsUsedSpacePlusMinFree) {
  LocalFixture f;
  f.config.minFreeSpace = 20 * kGB;
  f.host.freeBytes = 40 * kGB;  // 20 used + 20 free: exactly fits
  EXPECT_EQ(f.decide(), fullRun());
  f.host.freeBytes = 40 * kGB - 1;
  EXPECT_EQ(f.decide(), held("disk_space"));
  f.host.freeBytes.reset();
  EXPECT_EQ(f.decide(), held("disk_space"));
  f.host.freeBytes = 500 * kGB;
  f.device.usedBytes.reset();  // a full run of unknown size: unsure
  EXPECT_EQ(f.decide(), held("disk_space"));
  f.config.minFreeSpace = ~std::uint64_t{0};  // no overflow past the free space
  f.device.usedBytes = 1;
  EXPECT_EQ(f.decide(), held("disk_space"));
}

TEST(LocalBackupDecision, IncrementalRunNeedsLastBackupSizePlusMinFree) {
  LocalFixture f;
  f.backedUp(8 * kGB, hours(24 * 10));
  f.device.usedBytes.reset();  // not needed for an incremental run
  f.config.minFreeSpace = 20 * kGB;
  f.host.freeBytes = 28 * kGB;
  EXPECT_EQ(f.decide(), incrementalRun());
  f.host.freeBytes = 28 * kGB - 1;
  EXPECT_EQ(f.decide(), held("disk_space", false));
}

TEST(LocalBackupDecision, MaxTotalSizeCapsAllFolders) {
  LocalFixture f;
  f.config.maxTotalSize = 100 * kGB;
  f.host.totalBytes = 80 * kGB;  // + 20 used = the cap
  EXPECT_EQ(f.decide(), fullRun());
  f.host.totalBytes = 80 * kGB + 1;
  EXPECT_EQ(f.decide(), held("max_total_size"));
  f.host.totalBytes.reset();
  EXPECT_EQ(f.decide(), held("max_total_size"));
  f.config.maxTotalSize = 0;  // no cap
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, FullWhenNoneFinishedOrFullEveryPassed) {
  LocalFixture f;
  f.config.fullEvery = hours(24 * 30);
  EXPECT_TRUE(localBackupIsFull(f.device, kLocalNow, f.config));
  f.backedUp(8 * kGB, hours(24 * 30) - hours(1));
  EXPECT_FALSE(localBackupIsFull(f.device, kLocalNow, f.config));
  EXPECT_EQ(f.decide(), incrementalRun());
  f.backedUp(8 * kGB, hours(24 * 30));
  EXPECT_EQ(f.decide(), fullRun());
  f.device.lastLocalFull.reset();  // a finished backup but no full one known
  EXPECT_EQ(f.decide(), fullRun());
  f.backedUp(8 * kGB, hours(1));
  f.config.fullEvery = Duration::zero();  // every run full
  EXPECT_EQ(f.decide(), fullRun());
  f.config.fullEvery = hours(24 * 30);
  f.device.lastLocalBytes.reset();  // nothing finished: full
  EXPECT_EQ(f.decide(), fullRun());
}

TEST(LocalBackupDecision, DryRunAfterEveryRule) {
  LocalFixture f;
  f.remediation.dryRun = true;
  EXPECT_EQ(f.decide(), (LocalBackupDecision{DecisionKind::DryRun, "", true}));
  f.host.running = 1;
  EXPECT_EQ(f.decide(), held("max_concurrent"));
  f.host.running = 0;
  f.remediation.dryRun = false;
  f.backedUp(8 * kGB, hours(1));
  EXPECT_EQ(f.decide(ActionTrigger::Manual, true),
            (LocalBackupDecision{DecisionKind::DryRun, "", false}));
}

TEST(LocalBackupDecision, ManualSkipsTargetingAndPauseButNotSafety) {
  LocalFixture f;
  f.config = LocalBackupConfig{};  // off, default window
  f.remediation.excludeUdids = {f.device.udid};
  f.device.openConditions.clear();
  f.device.deviceAcknowledged = true;
  f.host.paused = true;
  EXPECT_EQ(f.decide(), kNothing);
  EXPECT_EQ(f.decide(ActionTrigger::Manual), fullRun());
  f.host.localMinuteOfDay = 12 * 60;
  EXPECT_EQ(f.decide(ActionTrigger::Manual), held("outside_local_backup_window"));
  f.host.localMinuteOfDay = 22 * 60;
  f.device.everSeenLocked = true;
  EXPECT_EQ(f.decide(ActionTrigger::Manual), held("needs_passcode"));
  f.device.everSeenLocked = false;
  f.host.freeBytes = 1;
  EXPECT_EQ(f.decide(ActionTrigger::Manual), held("disk_space"));
}

// Each rule holds with every later rule also failing: the first one in the documented order is
// the reason given.
TEST(LocalBackupDecision, RulesApplyInTheDocumentedOrder) {
  LocalFixture f;
  f.config.maxTotalSize = 1;
  f.host.totalBytes = 1;
  EXPECT_EQ(f.decide(), held("max_total_size"));
  f.host.freeBytes = 0;
  EXPECT_EQ(f.decide(), held("disk_space"));
  f.history.lastCounted = kLocalNow;
  EXPECT_EQ(f.decide(), held("min_interval"));
  f.host.running = 1;
  EXPECT_EQ(f.decide(), held("max_concurrent"));
  f.device.requiresEncryption = true;
  EXPECT_EQ(f.decide(), held("encryption_required"));
  f.device.everSeenLocked = true;
  EXPECT_EQ(f.decide(), held("needs_passcode"));
  f.device.needsPasscodeMark = true;
  EXPECT_EQ(f.decide(), held("passcode_not_entered"));
  f.device.batteryLevel = 5;
  EXPECT_EQ(f.decide(), held("battery_below_minimum"));
  f.device.onPower = false;
  EXPECT_EQ(f.decide(), held("off_power"));
  f.device.openConditions["battery_hot"] = kLocalNow;
  EXPECT_EQ(f.decide(), held("battery_hot"));
  f.device.trust = TrustState::NotPaired;
  EXPECT_EQ(f.decide(), held("unpaired"));
  f.history.deviceActionInFlight = true;
  EXPECT_EQ(f.decide(), held("action_in_flight"));
  f.device.attached = false;
  EXPECT_EQ(f.decide(), held("not_attached"));
  f.host.usbmuxdHealthy = false;
  EXPECT_EQ(f.decide(), held("usbmuxd_down"));
  f.host.localMinuteOfDay = 12 * 60;
  EXPECT_EQ(f.decide(), held("outside_local_backup_window"));
  f.host.paused = true;
  EXPECT_EQ(f.decide(), held("paused"));
  f.device.deviceAcknowledged = true;
  EXPECT_EQ(f.decide(), kNothing);
}

TEST(LocalBackupDecision, EveryReasonHasItsOwnText) {
  for (const char* reason : {"paused",
                             "outside_local_backup_window",
                             "usbmuxd_down",
                             "not_attached",
                             "action_in_flight",
                             "locked",
                             "untrusted",
                             "unpaired",
                             "trust_unknown",
                             "battery_hot",
                             "off_power",
                             "battery_below_minimum",
                             "passcode_not_entered",
                             "needs_passcode",
                             "encryption_required",
                             "max_concurrent",
                             "min_interval",
                             "disk_space",
                             "max_total_size",
                             "expect_not_icloud"}) {
    EXPECT_NE(remediationReasonText(reason), reason) << reason;
  }
}

}  // namespace
}  // namespace ibackupmon

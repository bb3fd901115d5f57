// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/remediation_decision.h"

#include <algorithm>

namespace ibackupmon {

namespace {

constexpr const char* kStaleUnexplained = "stale_unexplained";
constexpr const char* kIcloudBackupDisabled = "icloud_backup_disabled";

RemediationDecision skip(const char* reason) {
  return {DecisionKind::Skip, reason};
}

bool contains(const std::vector<std::string>& list, const std::string& udid) {
  return std::find(list.begin(), list.end(), udid) != list.end();
}

bool acknowledged(const RemediationDeviceFacts& d, const char* condition) {
  return d.deviceAcknowledged || d.acknowledgedConditions.contains(condition);
}

// Rules that say whether the device may be touched at all, for any action.
std::optional<RemediationDecision> deviceRules(const RemediationDeviceFacts& d,
                                               const RemediationHistory& history) {
  if (!d.attached) return skip("not_attached");
  if (history.deviceActionInFlight) return skip("action_in_flight");
  if (d.trust == TrustState::PasscodeLocked) return skip("locked");
  if (d.trust == TrustState::TrustPending || d.trust == TrustState::TrustDenied ||
      d.trust == TrustState::NotPaired) {
    return skip("untrusted");
  }
  return std::nullopt;
}

std::optional<RemediationDecision> enableRules(const RemediationDeviceFacts& d,
                                               BackupExpect expect) {
  if (expect != BackupExpect::ICloud) return skip("expect_not_icloud");
  if (d.openConditions.contains(kTurnedOffAgainCondition)) return skip("turned_off_again");
  if (acknowledged(d, kIcloudBackupDisabled)) return skip("acknowledged");
  if (d.cloudBackupEnabled.value_or(false)) return skip("already_on");
  if (!d.icloudSignedIn.value_or(false)) return skip("no_account_evidence");
  return std::nullopt;
}

// The policy restarts for one reason only: a stale backup with no visible cause, once per episode.
std::optional<RemediationDecision> restartEpisodeRules(const RemediationDeviceFacts& d,
                                                       const RemediationHistory& history) {
  if (!d.openConditions.contains(kStaleUnexplained)) return skip("not_stale_unexplained");
  if (acknowledged(d, kStaleUnexplained)) return skip("acknowledged");
  // An episode ends with a backup newer than the last restart.
  if (history.lastCounted && (!d.lastBackup || *history.lastCounted > *d.lastBackup)) {
    return skip("restarted_this_episode");
  }
  return std::nullopt;
}

std::optional<RemediationDecision> restartRules(const RemediationDeviceFacts& d,
                                                const RemediationHostFacts& host,
                                                const RemediationHistory& history,
                                                const RemediationConfig& policy) {
  if (host.appleOutage) return skip("apple_outage");
  if (!host.usbmuxdHealthy) return skip("usbmuxd_down");
  if (host.fleetSize > 0 && static_cast<double>(host.fleetStaleUnexplained) >
                                policy.maxFleetFraction * static_cast<double>(host.fleetSize)) {
    return skip("fleet_wide");
  }
  if (!d.onPower.value_or(false)) return skip("off_power");
  if (d.batteryLevel.value_or(0) < kRestartMinimumBattery) return skip("battery_low");
  if (policy.window && !policy.window->contains(host.localMinuteOfDay)) {
    return skip("outside_window");
  }
  // PasswordProtected is not used: devices report it whether or not a passcode is set.
  const bool mayHavePasscode = d.everSeenLocked || !d.everRead;
  if (mayHavePasscode && !policy.restartPasscodeDevices) return skip("passcode");
  if (host.restartInFlight) return skip("restart_in_flight");
  if (history.hostRestartsLastHour >= policy.maxRestartsPerHour) return skip("rate_limit");
  return std::nullopt;
}

}  // namespace

bool isRemediationCandidate(RemediationAction action,
                            const std::map<std::string, TimePoint>& openConditions, TimePoint now,
                            const RemediationConfig& policy) {
  if (action == RemediationAction::EnableIcloudBackup) {
    return policy.enableIcloudBackup && openConditions.contains(kIcloudBackupDisabled);
  }
  if (action != RemediationAction::Restart || policy.restartAfter <= Duration::zero()) {
    return false;
  }
  const auto it = openConditions.find(kStaleUnexplained);
  return it != openConditions.end() && now - it->second >= policy.restartAfter;
}

RemediationDecision decideRemediation(RemediationAction action, ActionTrigger trigger,
                                      const RemediationDeviceFacts& device,
                                      const RemediationHostFacts& host,
                                      const RemediationHistory& history,
                                      const RemediationConfig& policy, BackupExpect expect,
                                      bool dryRun) {
  const bool manual = trigger == ActionTrigger::Manual;
  if (!manual) {
    if (!isRemediationCandidate(action, device.openConditions, host.now, policy)) return {};
    if (host.paused) return skip("paused");
    if (contains(policy.excludeUdids, device.udid)) return skip("excluded");
    if (!policy.udids.empty() && !contains(policy.udids, device.udid)) return skip("not_targeted");
  }
  if (auto held = deviceRules(device, history)) return *held;
  std::optional<RemediationDecision> held;
  if (action == RemediationAction::EnableIcloudBackup) {
    held = enableRules(device, expect);
  } else {
    if (!manual) held = restartEpisodeRules(device, history);
    if (!held) held = restartRules(device, host, history, policy);
  }
  if (held) return *held;
  if (history.lastCounted && host.now - *history.lastCounted < policy.minInterval) {
    return skip("min_interval");
  }
  if (dryRun || policy.dryRun) return {DecisionKind::DryRun, ""};
  return {DecisionKind::Act, ""};
}

}  // namespace ibackupmon

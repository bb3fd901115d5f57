// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/local_backup_decision.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "diagnosis/condition_catalog.h"
#include "diagnosis/ios_version.h"

namespace ibackupmon {

namespace {

using LocalRule = std::optional<LocalBackupDecision>;

LocalBackupDecision localSkip(const char* reason) {
  return {DecisionKind::Skip, reason};
}

bool listsUdid(const std::vector<std::string>& list, const std::string& udid) {
  return std::find(list.begin(), list.end(), udid) != list.end();
}

// The condition `when` asks for; "stale" is the only value.
std::string whenCondition(LocalBackupWhen when) {
  switch (when) {
    case LocalBackupWhen::Stale: return std::string(cond::kBackupStale);
  }
  return std::string(cond::kBackupStale);
}

// Whether the policy considers this device at all; a non-candidate records nothing.
bool isLocalBackupCandidate(const LocalBackupDeviceFacts& d, const LocalBackupConfig& config,
                            const RemediationConfig& remediation) {
  if (!mayBeLocalBackupCandidate(d.udid, d.openConditions, config, remediation,
                                 BackupExpect::ICloud)) {
    return false;
  }
  const std::string condition = whenCondition(config.when);
  return !d.deviceAcknowledged && !d.acknowledgedConditions.contains(condition);
}

// Host-wide rules and whether the device can be reached and trusts this host.
LocalRule reachRules(const LocalBackupDeviceFacts& d, const LocalBackupHostFacts& host,
                     const RemediationHistory& history, const LocalBackupConfig& config) {
  if (config.window && !config.window->contains(host.localMinuteOfDay)) {
    return localSkip("outside_local_backup_window");
  }
  if (!host.usbmuxdHealthy) return localSkip("usbmuxd_down");
  if (!d.attached) return localSkip("not_attached");
  if (history.deviceActionInFlight) return localSkip("action_in_flight");
  switch (d.trust) {
    case TrustState::Trusted: break;
    case TrustState::PasscodeLocked: return localSkip("locked");
    case TrustState::TrustPending:
    case TrustState::TrustDenied: return localSkip("untrusted");
    case TrustState::NotPaired: return localSkip("unpaired");
    case TrustState::Unknown: return localSkip("trust_unknown");
  }
  return std::nullopt;
}

// The device's own state: heat, power, passcode, encryption.
LocalRule deviceStateRules(const LocalBackupDeviceFacts& d, const LocalBackupConfig& config) {
  if (d.openConditions.contains(std::string(cond::kBatteryHot))) return localSkip("battery_hot");
  if (!d.onPower.value_or(false)) return localSkip("off_power");
  if (!d.batteryLevel || *d.batteryLevel < config.minBattery) {
    return localSkip("battery_below_minimum");
  }
  if (d.needsPasscodeMark) return localSkip("passcode_not_entered");
  if (mayAskForPasscode(d) && (!config.tryPasscodeDevices || d.passcodeTriedThisAttach)) {
    return localSkip("needs_passcode");
  }
  // The daemon never sets a backup password: a device that demands one cannot be backed up.
  if (d.requiresEncryption.value_or(false) && !d.willEncrypt.value_or(false)) {
    return localSkip("encryption_required");
  }
  return std::nullopt;
}

std::uint64_t addSaturating(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

// Room on the backup file system: a full run needs the device's used space, an incremental one
// the size of its last backup, each plus min_free_space, and both within max_total_size.
LocalRule spaceRules(const LocalBackupDeviceFacts& d, const LocalBackupHostFacts& host,
                     const LocalBackupConfig& config, bool full) {
  const std::optional<std::uint64_t> needed = full ? d.usedBytes : d.lastLocalBytes;
  if (!needed || !host.freeBytes || addSaturating(*needed, config.minFreeSpace) > *host.freeBytes) {
    return localSkip("disk_space");
  }
  if (config.maxTotalSize > 0 &&
      (!host.totalBytes || addSaturating(*host.totalBytes, *needed) > config.maxTotalSize)) {
    return localSkip("max_total_size");
  }
  return std::nullopt;
}

}  // namespace

bool localBackupIsFull(const LocalBackupDeviceFacts& device, TimePoint now,
                       const LocalBackupConfig& config) {
  if (!device.lastLocalBytes || !device.lastLocalFull) return true;
  return now - *device.lastLocalFull >= config.fullEvery;
}

bool mayAskForPasscode(const LocalBackupDeviceFacts& device) {
  if (!device.everSeenLocked) return false;
  const auto version = device.iosVersion ? parseIosVersion(*device.iosVersion) : std::nullopt;
  if (!version) return true;
  const IosVersion since{
      std::vector<int>(kBackupPasscodePromptSince.begin(), kBackupPasscodePromptSince.end())};
  return *version >= since;
}

bool mayBeLocalBackupCandidate(const std::string& udid,
                               const std::map<std::string, TimePoint>& openConditions,
                               const LocalBackupConfig& config,
                               const RemediationConfig& remediation, BackupExpect expect) {
  if (expect != BackupExpect::ICloud || !config.enable) return false;
  if (!openConditions.contains(whenCondition(config.when))) return false;
  if (listsUdid(remediation.excludeUdids, udid)) return false;
  return remediation.udids.empty() || listsUdid(remediation.udids, udid);
}

LocalBackupDecision decideLocalBackup(const LocalBackupDeviceFacts& device,
                                      const LocalBackupHostFacts& host,
                                      const RemediationHistory& history,
                                      const LocalBackupConfig& config,
                                      const RemediationConfig& remediation, BackupExpect expect,
                                      ActionTrigger trigger, bool dryRun) {
  const bool manual = trigger == ActionTrigger::Manual;
  if (!manual &&
      (expect != BackupExpect::ICloud || !isLocalBackupCandidate(device, config, remediation))) {
    return {};
  }
  const bool full = localBackupIsFull(device, host.now, config);
  auto decided = [full](LocalBackupDecision d) {
    d.full = full;
    return d;
  };
  if (expect != BackupExpect::ICloud) return decided(localSkip("expect_not_icloud"));
  if (!manual && host.paused) return decided(localSkip("paused"));
  LocalRule held = reachRules(device, host, history, config);
  if (!held) held = deviceStateRules(device, config);
  if (!held && host.running >= config.maxConcurrent) held = localSkip("max_concurrent");
  if (!held && history.lastCounted && host.now - *history.lastCounted < remediation.minInterval) {
    held = localSkip("min_interval");
  }
  if (!held) held = spaceRules(device, host, config, full);
  if (held) return decided(*held);
  if (dryRun || remediation.dryRun) return decided({DecisionKind::DryRun, ""});
  return decided({DecisionKind::Act, ""});
}

}  // namespace ibackupmon

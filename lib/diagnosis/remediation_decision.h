// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure remediation decisions: what the daemon knows about one device, the host and the actions
/// already taken, and the [remediation] policy -> act, dry run, skip (with a reason) or nothing.
///
///   RemediationDeviceFacts d{...};   // from the latest snapshot and the device history
///   RemediationHostFacts h{...};     // fleet, feeds, usbmuxd, local time, pause
///   RemediationHistory past{...};    // from the actions table
///   auto decision = decideRemediation(RemediationAction::Restart, ActionTrigger::Policy,
///                                     d, h, past, config.remediation, config.backup.expect);

#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/remediation.h"
#include "core/snapshot.h"

namespace ibackupmon {

/// The share of battery below which a device is never restarted.
inline constexpr int kRestartMinimumBattery = 30;

struct RemediationDeviceFacts {
  std::string udid;
  bool attached = false;
  TrustState trust = TrustState::Unknown;  ///< of the latest cycle
  bool everRead = false;                   ///< some cycle ever read the device
  bool everSeenLocked = false;             ///< PasscodeLocked seen at any time
  std::optional<bool> cloudBackupEnabled;
  std::optional<bool> icloudSignedIn;  ///< data_sync lists an iCloud account
  std::optional<int> batteryLevel;
  std::optional<bool> onPower;
  std::map<std::string, TimePoint> openConditions;  ///< condition id -> since
  std::optional<TimePoint> lastBackup;              ///< the backup that counts; ends an episode
  bool deviceAcknowledged = false;
  /// Condition ids acknowledged on this device.
  std::set<std::string> acknowledgedConditions;
};

struct RemediationHostFacts {
  TimePoint now{};
  int localMinuteOfDay = 0;  ///< host local time, 0..1439
  bool paused = false;       ///< ibackupmonctl remediation pause
  bool usbmuxdHealthy = true;
  bool appleOutage = false;  ///< an ongoing event for a watched Apple service
  int fleetSize = 0;         ///< devices known to the monitor
  int fleetStaleUnexplained = 0;
  bool restartInFlight = false;  ///< a restart on this host waits for its device
};

/// What the actions table says about this device and host.
struct RemediationHistory {
  std::optional<TimePoint> lastCounted;  ///< last counted action of this kind on this device
  int hostRestartsLastHour = 0;          ///< counted restarts requested in the last hour
  bool deviceActionInFlight = false;
};

enum class DecisionKind { None, Skip, DryRun, Act };
inline constexpr std::array<const char*, 4> kDecisionKindNames{"none", "skip", "dry_run", "act"};

struct RemediationDecision {
  DecisionKind kind = DecisionKind::None;  ///< None: not a candidate, nothing to record
  std::string reason;                      ///< for Skip: a reason id (remediationReasonText)

  bool operator==(const RemediationDecision&) const = default;
};

/// The condition raised when iCloud Backup is found off again after the daemon turned it on.
inline constexpr const char* kTurnedOffAgainCondition = "icloud_backup_turned_off_again";

/// Whether a policy decision considers a device with these open conditions for `action` at all
/// (the action is on, its condition is open, restart_after is reached). Everything it rules out
/// gets None from decideRemediation, so a caller need gather no further facts (no store query)
/// for that action.
bool isRemediationCandidate(RemediationAction action,
                            const std::map<std::string, TimePoint>& openConditions, TimePoint now,
                            const RemediationConfig& policy);

/// Decides one action for one device. A policy decision returns None while the device is not a
/// candidate (the action is off, no matching condition, restart_after not reached), and Skip with
/// the first safety rule that holds it back. A manual request skips the policy's targeting
/// (enabled, udids, exclude_udids, restart_after and its stale episode, pause); every safety rule
/// still applies.
/// `dryRun` is the manual --dry-run; the policy's dry_run is read from `policy`.
RemediationDecision decideRemediation(RemediationAction action, ActionTrigger trigger,
                                      const RemediationDeviceFacts& device,
                                      const RemediationHostFacts& host,
                                      const RemediationHistory& history,
                                      const RemediationConfig& policy, BackupExpect expect,
                                      bool dryRun = false);

}  // namespace ibackupmon

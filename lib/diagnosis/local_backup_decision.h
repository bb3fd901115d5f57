// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure local-backup decisions: what the daemon knows about one device, the host and the backups
/// already taken, and the [local_backup] and [remediation] policies -> start a backup (full or
/// incremental), dry run, skip (with a reason) or nothing.
///
///   LocalBackupDeviceFacts d{...};  // latest snapshot, device history, the backup folder
///   LocalBackupHostFacts h{...};    // local time, pause, runs going on, the backup file system
///   RemediationHistory past{...};   // local_backup rows of the actions table for this device
///   auto decision = decideLocalBackup(d, h, past, config.localBackup, config.remediation,
///                                     config.backup.expect);
///   if (decision.kind == DecisionKind::Act) start(decision.full ? "--full" : "");
///
/// A policy decision is None unless the device is a candidate: local_backup.enable, expect
/// "icloud", `when` holds (backup_stale is open), the device is targeted by remediation.udids and
/// not in remediation.exclude_udids, and neither the device nor backup_stale is acknowledged.
/// Then the first rule that holds the run back gives a Skip, in this order:
///
///   paused, outside_local_backup_window, usbmuxd_down, not_attached, action_in_flight,
///   locked / untrusted / unpaired / trust_unknown, battery_hot, off_power,
///   battery_below_minimum, passcode_not_entered, needs_passcode, encryption_required,
///   max_concurrent, min_interval, disk_space, max_total_size
///
/// and with none, DryRun (remediation.dry_run, or the manual dry run) or Act. A manual request
/// skips the targeting (enable, when, udids, exclude_udids, backup_stale, acknowledgements) and
/// the pause; every other rule still applies, and a device outside expect "icloud" is a Skip
/// (expect_not_icloud) instead of None. Unknown facts hold a run back: "unsure" never acts.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/remediation.h"
#include "core/snapshot.h"
#include "diagnosis/remediation_decision.h"

namespace ibackupmon {

/// iOS from which a computer backup of a device with a passcode asks for it on the device.
inline constexpr std::array<int, 2> kBackupPasscodePromptSince{16, 1};

struct LocalBackupDeviceFacts {
  std::string udid;
  bool attached = false;
  /// Of the latest cycle. NotPaired is never tried: idevicebackup2 would pair by itself and show
  /// the Trust dialog.
  TrustState trust = TrustState::Unknown;
  bool everSeenLocked = false;            ///< PasscodeLocked seen at any time
  std::optional<std::string> iosVersion;  ///< ProductVersion; unknown or unreadable = 16.1 or later
  std::optional<int> batteryLevel;        ///< percent
  std::optional<bool> onPower;
  std::map<std::string, TimePoint> openConditions;  ///< condition id -> since
  std::optional<bool> requiresEncryption;  ///< a profile demands encrypted computer backups
  std::optional<bool> willEncrypt;         ///< backup encryption is on (a password is set)
  std::optional<std::uint64_t> usedBytes;  ///< device data capacity minus data available
  /// Size of the device's last finished local backup; nullopt = none finished (a full run).
  std::optional<std::uint64_t> lastLocalBytes;
  std::optional<TimePoint> lastLocalFull;  ///< when its last finished full run ended
  bool needsPasscodeMark = false;        ///< a run ended waiting for the passcode (208) this attach
  bool passcodeTriedThisAttach = false;  ///< a run was started this attach
  bool deviceAcknowledged = false;
  std::set<std::string> acknowledgedConditions;  ///< condition ids acknowledged on this device
};

struct LocalBackupHostFacts {
  TimePoint now{};
  int localMinuteOfDay = 0;  ///< host local time, 0..1439
  bool paused = false;       ///< ibackupmonctl remediation pause
  bool usbmuxdHealthy = true;
  int running = 0;  ///< local backups running on this host now
  /// Bytes available to the daemon on the file system of local_backup.directory.
  std::optional<std::uint64_t> freeBytes;
  std::optional<std::uint64_t> totalBytes;  ///< sum of all device folders under the directory
};

struct LocalBackupDecision {
  DecisionKind kind = DecisionKind::None;  ///< None: not a candidate, nothing to record
  std::string reason;                      ///< for Skip: a reason id (remediationReasonText)
  bool full = false;  ///< unless None: the run is (or would be) full rather than incremental

  bool operator==(const LocalBackupDecision&) const = default;
};

/// Whether the next run of this device is full: none finished yet, or the last full one is at
/// least local_backup.full_every old.
bool localBackupIsFull(const LocalBackupDeviceFacts& device, TimePoint now,
                       const LocalBackupConfig& config);

/// Whether a computer backup of this device may ask for its passcode on the device: seen locked,
/// and iOS 16.1 or later (an unknown or unreadable version counts as later).
bool mayAskForPasscode(const LocalBackupDeviceFacts& device);

/// The first, cheap test of decideLocalBackup for a policy decision: whether a device with these
/// open conditions is a candidate at all, acknowledgements apart (they only narrow it). A device
/// this rules out gets decision None whatever else is true, so a caller need gather no further
/// facts (no store query, no statvfs) for it.
bool mayBeLocalBackupCandidate(const std::string& udid,
                               const std::map<std::string, TimePoint>& openConditions,
                               const LocalBackupConfig& config,
                               const RemediationConfig& remediation, BackupExpect expect);

/// Decides whether to start a local backup of one device now (rules in the file comment).
/// `history.lastCounted` is the last counted local_backup action on this device;
/// `history.deviceActionInFlight` any action on it still running. `dryRun` is the manual
/// --dry-run; the policy's is remediation.dry_run.
LocalBackupDecision decideLocalBackup(const LocalBackupDeviceFacts& device,
                                      const LocalBackupHostFacts& host,
                                      const RemediationHistory& history,
                                      const LocalBackupConfig& config,
                                      const RemediationConfig& remediation, BackupExpect expect,
                                      ActionTrigger trigger = ActionTrigger::Policy,
                                      bool dryRun = false);

}  // namespace ibackupmon

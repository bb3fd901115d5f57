// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure diagnosis: latest snapshot + history + settings + outside facts -> conditions with
/// evidence and fixes, the backup state, and the DeviceStatus row everything else shows.
///
///   DiagnosisInput in{.udid = u, .snapshot = snap, .history = hist};
///   auto conditions = diagnose(in, diagnosisConfigFrom(config), clock.now());
///   DeviceStatus row = buildStatus(in, diagnosisConfigFrom(config), conditions, clock.now());

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/condition.h"
#include "core/history.h"
#include "core/remediation.h"
#include "core/snapshot.h"

namespace ibackupmon {

/// Apple may delete the iCloud backup of a device that has not backed up for this long.
inline constexpr Duration kAppleBackupDeletionAge = std::chrono::hours(24 * 180);
/// From this age on, backup_stale says when the deletion rule will be reached.
inline constexpr Duration kAppleDeletionNoticeAge = std::chrono::hours(24 * 150);

/// The part of Config diagnosis reads (so tests and callers need not build a whole Config).
struct DiagnosisConfig {
  Duration staleAfter = std::chrono::hours(36);
  Duration criticalAfter = std::chrono::hours(24 * 7);
  Duration missingAfter = std::chrono::hours(24 * 3);
  BackupExpect expect = BackupExpect::ICloud;
  int batteryLow = 20;
  int batteryHealth = 80;       ///< percent; battery_worn below it
  int batteryTemperature = 40;  ///< °C; battery_hot at or above it
  std::uint64_t storageLow = 2ull << 30;
  Duration clockSkew = std::chrono::minutes(5);
  std::optional<std::string> iosMinimumVersion;
  int probeFailingAfter = 3;  ///< consecutive failed cycles before probe_failing opens
};

DiagnosisConfig diagnosisConfigFrom(const Config& config);

/// An Apple System Status event that is ongoing for a watched service.
struct ServiceOutage {
  std::string service;     ///< unescaped serviceName, e.g. "iCloud Backup"
  std::string statusType;  ///< Outage | Issue | Performance | Maintenance
  std::string message;
  std::optional<TimePoint> startedAt;
};

/// Facts from outside the device. Absent means "not known", never "fine".
struct ExternalFacts {
  std::optional<std::string> newestIosVersion;  ///< newest offered for this ProductType (catalog)
  std::vector<ServiceOutage> outages;           ///< active outages; empty = none known
};

/// The device's local safety-net backups by ibackupmond (docs/local-backup.md).
struct LocalBackupFacts {
  std::optional<TimePoint> finishedAt;  ///< the newest finished local backup
  std::optional<std::uint64_t> bytes;   ///< its size
  int failuresInRow = 0;                ///< runs that failed since it (or since the first run)
  std::string lastReason;               ///< why the last run failed (a reason id)
  std::optional<TimePoint> lastEndedAt;
};

struct DiagnosisInput {
  std::string udid;
  /// The latest probe cycle. Absent = never probed this run. Live facts (power, trust, Wi-Fi,
  /// clock, probe errors) are read only when snapshot->connected.
  std::optional<DeviceSnapshot> snapshot;
  DeviceHistory history;
  std::optional<DeviceSetting> setting;  ///< [[device]] entry for this UDID, if any
  /// Where it is attached now over USB (sysfs); absent for a network or detached device, or
  /// when sysfs did not list it. Read only while attached.
  std::optional<DeviceSlot> slot;
  ExternalFacts external;
  /// When ibackupmond last turned iCloud Backup on for this device and saw it on (the actions
  /// table); a later read with the switch off raises icloud_backup_turned_off_again.
  std::optional<TimePoint> icloudBackupTurnedOnAt;
  /// The device's newest finished remediation action (done, failed or interrupted; the actions
  /// table); a failed one raises remediation_failed while it matters.
  std::optional<ActionRecord> lastAction;
  /// Its local backups: a finished one newer than stale_after caps backup_stale at warning
  /// (below kAppleDeletionNoticeAge); two failed runs in a row raise local_backup_failing.
  std::optional<LocalBackupFacts> localBackup;
};

/// Conditions active now, worst first. Never throws; partial input gives fewer conditions and an
/// "unknown" backup state rather than "ok".
std::vector<Condition> diagnose(const DiagnosisInput& in, const DiagnosisConfig& config,
                                TimePoint now);
std::vector<Condition> diagnose(const DiagnosisInput& in, const Config& config, TimePoint now);

/// The last reported backup date that counts under config.expect; nullopt when none was seen.
std::optional<TimePoint> countedBackup(const DiagnosisInput& in, BackupExpect expect);
/// Of an iCloud and a computer backup date, the one that counts under `expect` (the newer of
/// the two under "either").
std::optional<TimePoint> countedBackup(std::optional<TimePoint> cloud,
                                       std::optional<TimePoint> computer, BackupExpect expect);

/// ok | stale | unknown, as defined in docs/conditions.md ("Backup state").
BackupState backupState(const DiagnosisInput& in, const DiagnosisConfig& config, TimePoint now);

/// Sorts conditions worst first: severity, then catalog order (backup_stale and its explanation
/// first), then oldest since.
void sortConditions(std::vector<Condition>& conditions);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A diagnosed condition: why a device is (or may be) not backing up, with evidence and the fix.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/usb_slot.h"

namespace ibackupmon {

enum class Severity { Info, Warning, Critical };
enum class Confidence { Observed, Inferred };

struct Condition {
  std::string id;  ///< stable id, e.g. "backup_stale", "not_on_power"
  Severity severity = Severity::Warning;
  TimePoint since{};
  Confidence confidence = Confidence::Observed;
  std::map<std::string, std::string> evidence;  ///< observed key -> value, as text
  std::string summary;                          ///< one line: what is wrong
  std::string fix;                              ///< what the admin should try
};

enum class BackupState { Ok, Stale, Unknown };

/// One row of the fleet status: the single source of truth for `ibackupmonctl status`, metrics,
/// export and alerts.
struct DeviceStatus {
  std::string udid;
  std::string name;  ///< sanitised DeviceName or configured label
  std::optional<std::string> label;
  std::optional<std::string> location;
  std::optional<std::string> productType;
  std::optional<std::string> iosVersion;
  std::optional<std::string> serial;
  bool connected = false;
  std::optional<DeviceSlot> slot;  ///< while attached over USB and found in sysfs
  std::optional<TimePoint> firstSeen;
  std::optional<TimePoint> lastSeen;
  std::optional<TimePoint> lastCloudBackup;
  std::optional<TimePoint> lastComputerBackup;
  std::optional<bool> icloudBackupEnabled;
  std::optional<int> batteryLevel;
  std::optional<bool> onPower;
  std::optional<bool> charging;
  /// Estimated battery health (max / design capacity, 0..1.5) and cycle count: the last reading,
  /// kept while the device is away. Temperature, current and charger: live only.
  std::optional<double> batteryHealth;
  std::optional<std::int64_t> batteryCycleCount;
  std::optional<double> batteryTemperatureCelsius;
  std::optional<std::int64_t> batteryCurrentMa;
  std::optional<double> chargerWatts;
  std::optional<std::uint64_t> storageAvailableBytes;
  std::optional<std::uint64_t> storageCapacityBytes;
  BackupState backupState = BackupState::Unknown;
  std::vector<Condition> conditions;
  /// A local safety-net backup of the device runs since then (its probes wait meanwhile).
  std::optional<TimePoint> localBackupSince;
};

const char* toString(Severity s);
const char* toString(Confidence c);
const char* toString(BackupState s);
std::optional<Severity> severityFromString(const std::string& s);

/// Worst severity among conditions; nullopt when there are none.
std::optional<Severity> worstSeverity(const std::vector<Condition>& conditions);

}  // namespace ibackupmon

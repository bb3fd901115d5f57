// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The per-device part of the metrics, kept as plain rows and written as exposition text at
/// scrape time (node_exporter's const-metrics collector pattern): a device that leaves the fleet
/// view leaves the rows, so its series vanish with no removal bookkeeping, and a scrape of 1000
/// devices costs a few milliseconds instead of walking tens of thousands of Family entries.

#include <optional>
#include <string>
#include <vector>

#include "core/condition.h"

namespace ibackupmon::metrics {

/// One device, every label value sanitised, every unknown value nullopt (= no series).
struct DeviceRow {
  std::string udid;
  std::string name;
  std::string productType;
  std::string iosVersion;
  std::string serial;
  bool connected = false;
  std::optional<double> lastSeen;
  std::optional<double> lastCloudBackup;
  std::optional<double> lastComputerBackup;
  std::optional<double> icloudEnabled;
  std::optional<double> stale;
  std::optional<double> staleCritical;
  std::optional<double> batteryLevel;  ///< 0..1
  std::optional<double> externalPower;
  std::optional<double> charging;
  std::optional<double> batteryCycleCount;
  std::optional<double> batteryHealth;  ///< estimated, 0..1.5
  std::optional<double> batteryTemperature;
  std::optional<double> batteryCurrent;  ///< amperes, negative while discharging
  std::optional<double> chargerWatts;
  std::optional<double> storageAvailable;
  std::optional<double> storageCapacity;
  std::optional<std::string> slotPort;   ///< while attached over USB and found in sysfs
  std::string slotLabel;                 ///< "" when no [[slot]] names the port
  std::optional<double> linkSpeedBytes;  ///< bits per second
  std::vector<bool> conditions;  ///< open or not, by index into the exporter's condition ids
};

/// The sanitised condition ids of every row's conditions vector, in series order.
class ConditionIds {
 public:
  /// Adds a (raw) id unless present; returns its index, or nullopt for an empty id.
  std::optional<std::size_t> add(const std::string& raw);
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::vector<std::string> ids_;
};

/// The row for one DeviceStatus; adds condition ids not seen before to ids.
DeviceRow makeDeviceRow(const DeviceStatus& status, ConditionIds& ids);

/// Seconds since the Unix epoch, with sub-second precision.
double unixSeconds(TimePoint t);

}  // namespace ibackupmon::metrics

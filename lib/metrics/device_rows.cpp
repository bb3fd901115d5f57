// SPDX-License-Identifier: Apache-2.0
#include "metrics/device_rows.h"

#include <algorithm>
#include <chrono>

#include "core/sanitize.h"

namespace ibackupmon::metrics {
namespace {

std::optional<double> toDouble(const std::optional<bool>& v) {
  if (!v) return std::nullopt;
  return *v ? 1.0 : 0.0;
}

std::optional<double> toDouble(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return unixSeconds(*t);
}

std::optional<double> toDouble(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

// A level outside 0..100 is a bogus reading: showing it clamped would invent a value.
std::optional<double> batteryRatio(const std::optional<int>& level) {
  if (!level || *level < 0 || *level > 100) return std::nullopt;
  return *level / 100.0;
}

std::string labelValue(const std::optional<std::string>& v) {
  return v ? sanitizeDeviceString(*v) : std::string();
}

bool isCriticalStale(const DeviceStatus& s) {
  return std::any_of(s.conditions.begin(), s.conditions.end(), [](const Condition& c) {
    return c.id == "backup_stale" && c.severity == Severity::Critical;
  });
}

}  // namespace

double unixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::optional<std::size_t> ConditionIds::add(const std::string& raw) {
  std::string id = sanitizeDeviceString(raw);
  if (id.empty()) return std::nullopt;
  const auto it = std::find(ids_.begin(), ids_.end(), id);
  if (it != ids_.end()) return static_cast<std::size_t>(it - ids_.begin());
  ids_.push_back(std::move(id));
  return ids_.size() - 1;
}

DeviceRow makeDeviceRow(const DeviceStatus& s, ConditionIds& ids) {
  DeviceRow r;
  r.udid = sanitizeDeviceString(s.udid);
  r.name = sanitizeDeviceString(s.name);
  r.productType = labelValue(s.productType);
  r.iosVersion = labelValue(s.iosVersion);
  r.serial = labelValue(s.serial);
  r.connected = s.connected;
  r.lastSeen = toDouble(s.lastSeen);
  r.lastCloudBackup = toDouble(s.lastCloudBackup);
  r.lastComputerBackup = toDouble(s.lastComputerBackup);
  r.icloudEnabled = toDouble(s.icloudBackupEnabled);
  if (s.backupState != BackupState::Unknown) {
    const bool stale = s.backupState == BackupState::Stale;
    r.stale = stale ? 1.0 : 0.0;
    r.staleCritical = stale && isCriticalStale(s) ? 1.0 : 0.0;
  }
  r.batteryLevel = batteryRatio(s.batteryLevel);
  r.externalPower = toDouble(s.onPower);
  r.charging = toDouble(s.charging);
  if (s.batteryCycleCount) r.batteryCycleCount = static_cast<double>(*s.batteryCycleCount);
  r.batteryHealth = s.batteryHealth;
  r.batteryTemperature = s.batteryTemperatureCelsius;
  if (s.batteryCurrentMa) r.batteryCurrent = static_cast<double>(*s.batteryCurrentMa) / 1000.0;
  r.chargerWatts = s.chargerWatts;
  r.storageAvailable = toDouble(s.storageAvailableBytes);
  r.storageCapacity = toDouble(s.storageCapacityBytes);
  if (s.slot) {
    r.slotPort = sanitizeDeviceString(s.slot->port);
    r.slotLabel = labelValue(s.slot->label);
    if (s.slot->speedMbps) r.linkSpeedBytes = *s.slot->speedMbps * 1e6 / 8;
  }
  std::vector<std::size_t> open;
  for (const Condition& c : s.conditions) {
    if (auto index = ids.add(c.id)) open.push_back(*index);
  }
  r.conditions.assign(ids.ids().size(), false);
  for (std::size_t i : open) r.conditions[i] = true;
  return r;
}

}  // namespace ibackupmon::metrics

// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/status_builder.h"

#include <algorithm>
#include <tuple>

#include "core/device_state.h"
#include "diagnosis/facts.h"

namespace ibackupmon {
namespace {

std::optional<TimePoint> lastSeenOf(const DiagnosisInput& in) {
  std::optional<TimePoint> last = in.history.lastSeen;
  if (const auto* live = facts::live(in); live && (!last || live->takenAt > *last)) {
    last = live->takenAt;
  }
  return last;
}

void fillIdentity(DeviceStatus& s, const DiagnosisInput& in) {
  s.udid = !in.udid.empty() ? in.udid : in.history.udid;
  if (s.udid.empty() && in.snapshot) s.udid = in.snapshot->identity.udid;
  if (in.setting) {
    s.label = in.setting->label;
    s.location = in.setting->location;
  }
  // On a cart the slot names a device better than its (often identical) DeviceName.
  if (!s.label && in.slot && facts::attached(in)) s.label = in.slot->label;
  const auto deviceName = facts::identityField(in, &Identity::name);
  s.name = s.label ? *s.label : deviceName.value_or("");
  s.productType = facts::identityField(in, &Identity::productType);
  s.iosVersion = facts::identityField(in, &Identity::productVersion);
  s.serial = facts::identityField(in, &Identity::serial);
}

void fillPresence(DeviceStatus& s, const DiagnosisInput& in) {
  s.connected = facts::attached(in);
  if (s.connected) s.slot = in.slot;
  s.firstSeen = facts::firstSeen(in);
  s.lastSeen = lastSeenOf(in);
}

void fillBackup(DeviceStatus& s, const DiagnosisInput& in) {
  s.lastCloudBackup = facts::newestCloudBackup(in);
  s.lastComputerBackup = facts::newestComputerBackup(in);
  if (const auto backup = facts::backup(in)) s.icloudBackupEnabled = backup->cloudBackupEnabled;
}

void fillPowerAndStorage(DeviceStatus& s, const DiagnosisInput& in) {
  if (const auto* live = facts::live(in); live && live->battery) {
    s.batteryLevel = live->battery->level;
    s.onPower = live->battery->externalConnected;
    s.charging = live->battery->charging;
  }
  if (const auto ps = facts::powerSource(in)) {
    s.batteryHealth = ps->healthRatio;
    s.batteryCycleCount = ps->cycleCount;
  }
  if (const auto* live = facts::live(in); live && live->powerSource) {
    s.batteryTemperatureCelsius = live->powerSource->temperatureCelsius;
    s.batteryCurrentMa = live->powerSource->currentMa;
    s.chargerWatts = live->powerSource->chargerWatts;
  }
  if (const auto storage = facts::storage(in)) {
    s.storageAvailableBytes = facts::availableBytes(*storage.value);
    s.storageCapacityBytes =
        storage->totalDataCapacity ? storage->totalDataCapacity : storage->totalDiskCapacity;
  }
}

int stateRank(DeviceState s) {
  switch (s) {
    case DeviceState::Critical: return 0;
    case DeviceState::Unknown: return 1;
    case DeviceState::Warning: return 2;
    case DeviceState::Ok: return 3;
  }
  return 3;
}

std::optional<TimePoint> countedOf(const DeviceStatus& s, BackupExpect expect) {
  switch (expect) {
    case BackupExpect::ICloud: return s.lastCloudBackup;
    case BackupExpect::Computer: return s.lastComputerBackup;
    case BackupExpect::Either:
      if (s.lastCloudBackup && s.lastComputerBackup) {
        return std::max(*s.lastCloudBackup, *s.lastComputerBackup);
      }
      return s.lastCloudBackup ? s.lastCloudBackup : s.lastComputerBackup;
  }
  return std::nullopt;
}

}  // namespace

DeviceStatus buildStatus(const DiagnosisInput& in, const DiagnosisConfig& config,
                         std::vector<Condition> conditions, TimePoint now) {
  DeviceStatus s;
  fillIdentity(s, in);
  fillPresence(s, in);
  fillBackup(s, in);
  fillPowerAndStorage(s, in);
  s.backupState = backupState(in, config, now);
  sortConditions(conditions);
  s.conditions = std::move(conditions);
  return s;
}

DeviceStatus diagnoseStatus(const DiagnosisInput& in, const DiagnosisConfig& config,
                            TimePoint now) {
  return buildStatus(in, config, diagnose(in, config, now), now);
}

void sortFleet(std::vector<DeviceStatus>& fleet, BackupExpect expect) {
  auto worse = [expect](const DeviceStatus& a, const DeviceStatus& b) {
    const int ra = stateRank(deviceState(a));
    const int rb = stateRank(deviceState(b));
    if (ra != rb) return ra < rb;
    // Never backed up sorts as the oldest possible backup.
    const TimePoint ta = countedOf(a, expect).value_or(TimePoint::min());
    const TimePoint tb = countedOf(b, expect).value_or(TimePoint::min());
    if (ta != tb) return ta < tb;
    return std::tie(a.name, a.udid) < std::tie(b.name, b.udid);
  };
  std::stable_sort(fleet.begin(), fleet.end(), worse);
}

}  // namespace ibackupmon

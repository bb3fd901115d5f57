// SPDX-License-Identifier: Apache-2.0
#include "core/device_state.h"

#include <algorithm>

#include "core/enum_names.h"

namespace ibackupmon {

DeviceState deviceState(const DeviceStatus& s) {
  auto worst = worstSeverity(s.conditions);
  if (worst == Severity::Critical) return DeviceState::Critical;
  if (s.backupState == BackupState::Unknown) return DeviceState::Unknown;
  if (worst == Severity::Warning || s.backupState == BackupState::Stale) {
    return DeviceState::Warning;
  }
  return DeviceState::Ok;
}

const char* toString(DeviceState s) {
  return enumName(std::array<const char*, 4>{"ok", "warning", "unknown", "critical"}, s, "unknown");
}

int nagiosExitCode(const std::vector<DeviceStatus>& fleet) {
  if (fleet.empty()) return 3;
  DeviceState worst = DeviceState::Ok;
  for (const auto& d : fleet) worst = std::max(worst, deviceState(d));
  switch (worst) {
    case DeviceState::Ok: return 0;
    case DeviceState::Warning: return 1;
    case DeviceState::Critical: return 2;
    case DeviceState::Unknown: return 3;
  }
  return 3;
}

std::vector<Condition> conditionsWorstFirst(const std::vector<Condition>& conditions) {
  std::vector<Condition> out = conditions;
  std::stable_sort(out.begin(), out.end(), [](const Condition& a, const Condition& b) {
    if (a.severity != b.severity)
      return static_cast<int>(a.severity) > static_cast<int>(b.severity);
    return a.id < b.id;
  });
  return out;
}

std::string deviceSummary(const DeviceStatus& s) {
  auto conds = conditionsWorstFirst(s.conditions);
  if (!conds.empty())
    return conds.front().summary.empty() ? conds.front().id : conds.front().summary;
  switch (s.backupState) {
    case BackupState::Ok: return "backing up";
    case BackupState::Stale: return "backup stale";
    case BackupState::Unknown: return "backup state unknown: the device could not be read yet";
  }
  return "";
}

}  // namespace ibackupmon

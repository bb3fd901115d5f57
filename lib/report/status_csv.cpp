// SPDX-License-Identifier: Apache-2.0
#include "report/status_csv.h"

#include "core/device_state.h"
#include "core/sanitize.h"
#include "core/time_format.h"
#include "report/text_cells.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kMaxCellBytes = 1024;
constexpr const char* kHeader =
    "udid,name,label,location,product_type,ios_version,serial,connected,last_seen,"
    "last_cloud_backup,last_computer_backup,icloud_backup_enabled,battery_level,on_power,"
    "storage_available_bytes,storage_capacity_bytes,backup_state,state,conditions,summary,"
    "slot_port,slot_label";

std::string text(const std::optional<std::string>& v) {
  return v ? sanitizeDeviceString(*v, kMaxCellBytes) : "";
}
std::string time(const std::optional<TimePoint>& t) {
  return t ? formatRfc3339(*t) : "";
}
std::string flag(const std::optional<bool>& b) {
  return b ? (*b ? "true" : "false") : "";
}
template <class T>
std::string number(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "";
}

std::string conditionIds(const DeviceStatus& s) {
  std::string ids;
  for (const auto& c : conditionsWorstFirst(s.conditions)) ids += (ids.empty() ? "" : ";") + c.id;
  return ids;
}

}  // namespace

std::string renderStatusCsv(const std::vector<DeviceStatus>& fleet) {
  std::string out = std::string(kHeader) + "\r\n";
  for (const auto& s : fleet) {
    const std::string cells[] = {text(s.udid),
                                 text(s.name),
                                 text(s.label),
                                 text(s.location),
                                 text(s.productType),
                                 text(s.iosVersion),
                                 text(s.serial),
                                 s.connected ? "true" : "false",
                                 time(s.lastSeen),
                                 time(s.lastCloudBackup),
                                 time(s.lastComputerBackup),
                                 flag(s.icloudBackupEnabled),
                                 number(s.batteryLevel),
                                 flag(s.onPower),
                                 number(s.storageAvailableBytes),
                                 number(s.storageCapacityBytes),
                                 toString(s.backupState),
                                 toString(deviceState(s)),
                                 conditionIds(s),
                                 sanitizeDeviceString(deviceSummary(s), kMaxCellBytes),
                                 s.slot ? text(s.slot->port) : "",
                                 s.slot ? text(s.slot->label) : ""};
    bool first = true;
    for (const auto& c : cells) {
      if (!first) out += ',';
      out += csvField(c);
      first = false;
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace ibackupmon

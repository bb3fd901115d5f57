// SPDX-License-Identifier: Apache-2.0
#include "report/status_json.h"

#include <nlohmann/json.hpp>

#include "core/device_state.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

template <class T>
nlohmann::json orNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json timeOrNull(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(formatRfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json conditionToJson(const Condition& c) {
  nlohmann::json evidence = nlohmann::json::object();
  for (const auto& [k, v] : c.evidence) evidence[k] = v;
  return {{"id", c.id},
          {"severity", toString(c.severity)},
          {"since", timeOrNull(c.since == TimePoint{} ? std::nullopt : std::optional(c.since))},
          {"confidence", toString(c.confidence)},
          {"evidence", evidence},
          {"summary", c.summary},
          {"fix", c.fix}};
}

nlohmann::json statusToJson(const DeviceStatus& s) {
  nlohmann::json conditions = nlohmann::json::array();
  for (const auto& c : conditionsWorstFirst(s.conditions)) conditions.push_back(conditionToJson(c));
  nlohmann::json j = nlohmann::json::object();
  j["udid"] = s.udid;
  j["name"] = s.name;
  j["label"] = orNull(s.label);
  j["location"] = orNull(s.location);
  j["product_type"] = orNull(s.productType);
  j["ios_version"] = orNull(s.iosVersion);
  j["serial"] = orNull(s.serial);
  j["connected"] = s.connected;
  j["slot"] = nullptr;
  if (s.slot) {
    j["slot"] = nlohmann::json{
        {"port", s.slot->port},
        {"path", s.slot->path.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.slot->path)},
        {"label", orNull(s.slot->label)},
        {"speed_mbps", orNull(s.slot->speedMbps)}};
  }
  j["first_seen"] = timeOrNull(s.firstSeen);
  j["last_seen"] = timeOrNull(s.lastSeen);
  j["last_cloud_backup"] = timeOrNull(s.lastCloudBackup);
  j["last_computer_backup"] = timeOrNull(s.lastComputerBackup);
  j["icloud_backup_enabled"] = orNull(s.icloudBackupEnabled);
  j["battery_level"] = orNull(s.batteryLevel);
  j["on_power"] = orNull(s.onPower);
  j["charging"] = orNull(s.charging);
  j["battery_health"] = orNull(s.batteryHealth);
  j["battery_cycle_count"] = orNull(s.batteryCycleCount);
  j["battery_temperature_celsius"] = orNull(s.batteryTemperatureCelsius);
  j["battery_current_ma"] = orNull(s.batteryCurrentMa);
  j["charger_watts"] = orNull(s.chargerWatts);
  j["storage_available_bytes"] = orNull(s.storageAvailableBytes);
  j["storage_capacity_bytes"] = orNull(s.storageCapacityBytes);
  j["backup_state"] = toString(s.backupState);
  j["state"] = toString(deviceState(s));
  j["summary"] = deviceSummary(s);
  j["conditions"] = conditions;
  j["local_backup_since"] = timeOrNull(s.localBackupSince);
  return j;
}

nlohmann::json statusesToJson(const std::vector<DeviceStatus>& fleet) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : fleet) arr.push_back(statusToJson(s));
  return arr;
}

std::string dumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "store/json_fields.h"
#include "store/store_codec.h"

namespace ibackupmon::codec {
namespace {

constexpr Severity kSeverities[] = {Severity::Info, Severity::Warning, Severity::Critical};
constexpr Confidence kConfidences[] = {Confidence::Observed, Confidence::Inferred};
constexpr BackupState kBackupStates[] = {BackupState::Ok, BackupState::Stale, BackupState::Unknown};

Json encodeCondition(const Condition& c) {
  return Json{{"id", c.id},
              {"severity", toString(c.severity)},
              {"since", toUnixSeconds(c.since)},
              {"confidence", toString(c.confidence)},
              {"evidence", c.evidence},
              {"summary", c.summary},
              {"fix", c.fix}};
}

Condition decodeCondition(const Json& j) {
  Condition c;
  c.id = get<std::string>(j, "id").value_or("");
  c.severity =
      enumFromString(get<std::string>(j, "severity").value_or(""), kSeverities, Severity::Warning);
  c.since = getTime(j, "since").value_or(TimePoint{});
  c.confidence = enumFromString(get<std::string>(j, "confidence").value_or(""), kConfidences,
                                Confidence::Observed);
  c.evidence = get<std::map<std::string, std::string>>(j, "evidence")
                   .value_or(std::map<std::string, std::string>{});
  c.summary = get<std::string>(j, "summary").value_or("");
  c.fix = get<std::string>(j, "fix").value_or("");
  return c;
}

std::string dumpSafe(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string encodeStatus(const DeviceStatus& s) {
  Json j = Json::object();
  j["udid"] = s.udid;
  j["name"] = s.name;
  put(j, "label", s.label);
  put(j, "location", s.location);
  put(j, "product_type", s.productType);
  put(j, "ios_version", s.iosVersion);
  put(j, "serial", s.serial);
  j["connected"] = s.connected;
  putTime(j, "first_seen", s.firstSeen);
  putTime(j, "last_seen", s.lastSeen);
  putTime(j, "last_cloud_backup", s.lastCloudBackup);
  putTime(j, "last_computer_backup", s.lastComputerBackup);
  put(j, "icloud_backup_enabled", s.icloudBackupEnabled);
  put(j, "battery_level", s.batteryLevel);
  put(j, "on_power", s.onPower);
  put(j, "charging", s.charging);
  put(j, "storage_available_bytes", s.storageAvailableBytes);
  put(j, "storage_capacity_bytes", s.storageCapacityBytes);
  j["backup_state"] = toString(s.backupState);
  Json conds = Json::array();
  for (const auto& c : s.conditions) conds.push_back(encodeCondition(c));
  j["conditions"] = conds;
  return dumpSafe(j);
}

Expected<DeviceStatus> decodeStatus(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError("db_corrupt", "stored status is not valid JSON");
  }
  DeviceStatus s;
  s.udid = get<std::string>(j, "udid").value_or("");
  s.name = get<std::string>(j, "name").value_or("");
  s.label = get<std::string>(j, "label");
  s.location = get<std::string>(j, "location");
  s.productType = get<std::string>(j, "product_type");
  s.iosVersion = get<std::string>(j, "ios_version");
  s.serial = get<std::string>(j, "serial");
  s.connected = get<bool>(j, "connected").value_or(false);
  s.firstSeen = getTime(j, "first_seen");
  s.lastSeen = getTime(j, "last_seen");
  s.lastCloudBackup = getTime(j, "last_cloud_backup");
  s.lastComputerBackup = getTime(j, "last_computer_backup");
  s.icloudBackupEnabled = get<bool>(j, "icloud_backup_enabled");
  s.batteryLevel = get<int>(j, "battery_level");
  s.onPower = get<bool>(j, "on_power");
  s.charging = get<bool>(j, "charging");
  s.storageAvailableBytes = get<std::uint64_t>(j, "storage_available_bytes");
  s.storageCapacityBytes = get<std::uint64_t>(j, "storage_capacity_bytes");
  s.backupState = enumFromString(get<std::string>(j, "backup_state").value_or(""), kBackupStates,
                                 BackupState::Unknown);
  if (auto it = j.find("conditions"); it != j.end() && it->is_array()) {
    for (const auto& c : *it) s.conditions.push_back(decodeCondition(c));
  }
  return s;
}

std::string encodeEvidence(const std::map<std::string, std::string>& evidence) {
  return dumpSafe(Json(evidence));
}

std::map<std::string, std::string> decodeEvidence(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

}  // namespace ibackupmon::codec

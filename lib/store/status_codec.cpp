// SPDX-License-Identifier: Apache-2.0
#include "store/json_fields.h"
#include "store/store_codec.h"

namespace ibackupmon::codec {
namespace {

constexpr Severity kSeverities[] = {Severity::Info, Severity::Warning, Severity::Critical};
constexpr Confidence kConfidences[] = {Confidence::Observed, Confidence::Inferred};
constexpr BackupState kBackupStates[] = {BackupState::Ok, BackupState::Stale, BackupState::Unknown};

}  // namespace

// Field lists for encodeFields and decodeFields (json_fields.h).
void fields(auto&& io, Like<Condition> auto& c) {
  io("id", c.id);
  io.oneOf("severity", c.severity, kSeverities, Severity::Warning);
  io("since", c.since);
  io.oneOf("confidence", c.confidence, kConfidences, Confidence::Observed);
  io("evidence", c.evidence);
  io("summary", c.summary);
  io("fix", c.fix);
}

void fields(auto&& io, Like<DeviceSlot> auto& s) {
  io("port", s.port);
  io("path", s.path);
  io("label", s.label);
  io("speed_mbps", s.speedMbps);
}

void fields(auto&& io, Like<DeviceStatus> auto& s) {
  io("udid", s.udid);
  io("name", s.name);
  io("label", s.label);
  io("location", s.location);
  io("product_type", s.productType);
  io("ios_version", s.iosVersion);
  io("serial", s.serial);
  io("connected", s.connected);
  io.object("slot", s.slot);
  io("first_seen", s.firstSeen);
  io("last_seen", s.lastSeen);
  io("last_cloud_backup", s.lastCloudBackup);
  io("last_computer_backup", s.lastComputerBackup);
  io("icloud_backup_enabled", s.icloudBackupEnabled);
  io("battery_level", s.batteryLevel);
  io("on_power", s.onPower);
  io("charging", s.charging);
  io("battery_health", s.batteryHealth);
  io("battery_cycle_count", s.batteryCycleCount);
  io("battery_temperature_celsius", s.batteryTemperatureCelsius);
  io("battery_current_ma", s.batteryCurrentMa);
  io("charger_watts", s.chargerWatts);
  io("storage_available_bytes", s.storageAvailableBytes);
  io("storage_capacity_bytes", s.storageCapacityBytes);
  io.oneOf("backup_state", s.backupState, kBackupStates, BackupState::Unknown);
  io.list("conditions", s.conditions);
  io("local_backup_since", s.localBackupSince);
}

std::string encodeStatus(const DeviceStatus& s) {
  return dumpSafe(encodeFields(s));
}

Expected<DeviceStatus> decodeStatus(const std::string& text) {
  return decodeStored<DeviceStatus>(text, "status");
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

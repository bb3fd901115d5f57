// SPDX-License-Identifier: Apache-2.0
#include "store/json_fields.h"
#include "store/store_codec.h"

namespace ibackupmon::codec {
namespace {

constexpr TrustState kTrustStates[] = {TrustState::Unknown,        TrustState::Trusted,
                                       TrustState::PasscodeLocked, TrustState::TrustPending,
                                       TrustState::TrustDenied,    TrustState::NotPaired};
constexpr WifiState kWifiStates[] = {WifiState::Unknown, WifiState::Associated,
                                     WifiState::NotAssociated};
constexpr ProbeStatus kProbeStatuses[] = {ProbeStatus::Ok, ProbeStatus::NoData, ProbeStatus::Error};

Json encodeIdentity(const Identity& i) {
  Json j = Json::object();
  j["udid"] = i.udid;
  put(j, "name", i.name);
  put(j, "product_type", i.productType);
  put(j, "product_version", i.productVersion);
  put(j, "build_version", i.buildVersion);
  put(j, "serial", i.serial);
  putTime(j, "device_clock", i.deviceClock);
  put(j, "password_protected", i.passwordProtected);
  put(j, "activation_state", i.activationState);
  return j;
}

Identity decodeIdentity(const Json& j) {
  Identity i;
  i.udid = get<std::string>(j, "udid").value_or("");
  i.name = get<std::string>(j, "name");
  i.productType = get<std::string>(j, "product_type");
  i.productVersion = get<std::string>(j, "product_version");
  i.buildVersion = get<std::string>(j, "build_version");
  i.serial = get<std::string>(j, "serial");
  i.deviceClock = getTime(j, "device_clock");
  i.passwordProtected = get<bool>(j, "password_protected");
  i.activationState = get<std::string>(j, "activation_state");
  return i;
}

Json encodeBackup(const BackupFacts& b) {
  Json j = Json::object();
  put(j, "cloud_backup_enabled", b.cloudBackupEnabled);
  putTime(j, "last_cloud_backup", b.lastCloudBackup);
  put(j, "last_cloud_backup_tz", b.lastCloudBackupTz);
  putTime(j, "last_computer_backup", b.lastComputerBackup);
  put(j, "last_computer_backup_tz", b.lastComputerBackupTz);
  put(j, "will_encrypt", b.willEncrypt);
  put(j, "requires_encryption", b.requiresEncryption);
  put(j, "version", b.version);
  putTime(j, "future_cloud_backup", b.futureCloudBackup);
  putTime(j, "future_computer_backup", b.futureComputerBackup);
  return j;
}

BackupFacts decodeBackup(const Json& j) {
  BackupFacts b;
  b.cloudBackupEnabled = get<bool>(j, "cloud_backup_enabled");
  b.lastCloudBackup = getTime(j, "last_cloud_backup");
  b.lastCloudBackupTz = get<std::string>(j, "last_cloud_backup_tz");
  b.lastComputerBackup = getTime(j, "last_computer_backup");
  b.lastComputerBackupTz = get<std::string>(j, "last_computer_backup_tz");
  b.willEncrypt = get<bool>(j, "will_encrypt");
  b.requiresEncryption = get<bool>(j, "requires_encryption");
  b.version = get<std::string>(j, "version");
  b.futureCloudBackup = getTime(j, "future_cloud_backup");
  b.futureComputerBackup = getTime(j, "future_computer_backup");
  return b;
}

Json encodeBattery(const BatteryInfo& b) {
  Json j = Json::object();
  put(j, "level", b.level);
  put(j, "charging", b.charging);
  put(j, "external_connected", b.externalConnected);
  put(j, "external_charge_capable", b.externalChargeCapable);
  put(j, "fully_charged", b.fullyCharged);
  put(j, "has_battery", b.hasBattery);
  return j;
}

BatteryInfo decodeBattery(const Json& j) {
  BatteryInfo b;
  b.level = get<int>(j, "level");
  b.charging = get<bool>(j, "charging");
  b.externalConnected = get<bool>(j, "external_connected");
  b.externalChargeCapable = get<bool>(j, "external_charge_capable");
  b.fullyCharged = get<bool>(j, "fully_charged");
  b.hasBattery = get<bool>(j, "has_battery");
  return b;
}

Json encodeStorage(const StorageInfo& s) {
  Json j = Json::object();
  put(j, "total_disk_capacity", s.totalDiskCapacity);
  put(j, "total_data_capacity", s.totalDataCapacity);
  put(j, "total_data_available", s.totalDataAvailable);
  put(j, "amount_data_available", s.amountDataAvailable);
  put(j, "amount_data_reserved", s.amountDataReserved);
  return j;
}

StorageInfo decodeStorage(const Json& j) {
  StorageInfo s;
  s.totalDiskCapacity = get<std::uint64_t>(j, "total_disk_capacity");
  s.totalDataCapacity = get<std::uint64_t>(j, "total_data_capacity");
  s.totalDataAvailable = get<std::uint64_t>(j, "total_data_available");
  s.amountDataAvailable = get<std::uint64_t>(j, "amount_data_available");
  s.amountDataReserved = get<std::uint64_t>(j, "amount_data_reserved");
  return s;
}

Json encodeProbes(const std::vector<ProbeOutcome>& probes) {
  Json arr = Json::array();
  for (const auto& p : probes) {
    arr.push_back({{"probe", p.probe},
                   {"status", toString(p.status)},
                   {"error", p.error},
                   {"detail", p.detail},
                   {"seconds", p.seconds}});
  }
  return arr;
}

std::vector<ProbeOutcome> decodeProbes(const Json& arr) {
  std::vector<ProbeOutcome> out;
  if (!arr.is_array()) return out;
  for (const auto& p : arr) {
    ProbeOutcome o;
    o.probe = get<std::string>(p, "probe").value_or("");
    o.status = enumFromString(get<std::string>(p, "status").value_or(""), kProbeStatuses,
                              ProbeStatus::Error);
    o.error = get<std::string>(p, "error").value_or("");
    o.detail = get<std::string>(p, "detail").value_or("");
    o.seconds = get<double>(p, "seconds").value_or(0);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

std::string encodeSnapshot(const DeviceSnapshot& s) {
  Json j = Json::object();
  j["identity"] = encodeIdentity(s.identity);
  j["taken_at"] = toUnixSeconds(s.takenAt);
  j["connected"] = s.connected;
  j["network"] = s.network;
  j["trust"] = toString(s.trust);
  j["wifi"] = toString(s.wifi);
  if (s.backup) j["backup"] = encodeBackup(*s.backup);
  if (s.battery) j["battery"] = encodeBattery(*s.battery);
  if (s.storage) j["storage"] = encodeStorage(*s.storage);
  if (s.account) {
    Json a = Json::object();
    put(a, "icloud_signed_in", s.account->icloudSignedIn);
    a["account_names"] = s.account->accountNames;
    j["account"] = a;
  }
  j["probes"] = encodeProbes(s.probes);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Expected<DeviceSnapshot> decodeSnapshot(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError("db_corrupt", "stored snapshot is not valid JSON");
  }
  DeviceSnapshot s;
  if (auto it = j.find("identity"); it != j.end()) s.identity = decodeIdentity(*it);
  s.takenAt = getTime(j, "taken_at").value_or(TimePoint{});
  s.connected = get<bool>(j, "connected").value_or(false);
  s.network = get<bool>(j, "network").value_or(false);
  s.trust =
      enumFromString(get<std::string>(j, "trust").value_or(""), kTrustStates, TrustState::Unknown);
  s.wifi =
      enumFromString(get<std::string>(j, "wifi").value_or(""), kWifiStates, WifiState::Unknown);
  if (auto it = j.find("backup"); it != j.end()) s.backup = decodeBackup(*it);
  if (auto it = j.find("battery"); it != j.end()) s.battery = decodeBattery(*it);
  if (auto it = j.find("storage"); it != j.end()) s.storage = decodeStorage(*it);
  if (auto it = j.find("account"); it != j.end()) {
    AccountInfo a;
    a.icloudSignedIn = get<bool>(*it, "icloud_signed_in");
    a.accountNames =
        get<std::vector<std::string>>(*it, "account_names").value_or(std::vector<std::string>{});
    s.account = std::move(a);
  }
  if (auto it = j.find("probes"); it != j.end()) s.probes = decodeProbes(*it);
  return s;
}

}  // namespace ibackupmon::codec

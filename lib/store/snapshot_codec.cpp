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

}  // namespace

// Field lists for encodeFields and decodeFields (json_fields.h).
void fields(auto&& io, Like<Identity> auto& i) {
  io("udid", i.udid);
  io("name", i.name);
  io("product_type", i.productType);
  io("product_version", i.productVersion);
  io("build_version", i.buildVersion);
  io("serial", i.serial);
  io("device_clock", i.deviceClock);
  io("password_protected", i.passwordProtected);
  io("activation_state", i.activationState);
}

void fields(auto&& io, Like<BackupFacts> auto& b) {
  io("cloud_backup_enabled", b.cloudBackupEnabled);
  io("last_cloud_backup", b.lastCloudBackup);
  io("last_cloud_backup_tz", b.lastCloudBackupTz);
  io("last_computer_backup", b.lastComputerBackup);
  io("last_computer_backup_tz", b.lastComputerBackupTz);
  io("will_encrypt", b.willEncrypt);
  io("requires_encryption", b.requiresEncryption);
  io("version", b.version);
  io("future_cloud_backup", b.futureCloudBackup);
  io("future_computer_backup", b.futureComputerBackup);
}

void fields(auto&& io, Like<BatteryInfo> auto& b) {
  io("level", b.level);
  io("charging", b.charging);
  io("external_connected", b.externalConnected);
  io("external_charge_capable", b.externalChargeCapable);
  io("fully_charged", b.fullyCharged);
  io("has_battery", b.hasBattery);
}

void fields(auto&& io, Like<PowerSourceInfo> auto& p) {
  io("cycle_count", p.cycleCount);
  io("design_capacity_mah", p.designCapacityMah);
  io("max_capacity_mah", p.maxCapacityMah);
  io("max_capacity_key", p.maxCapacityKey);
  io("health_ratio", p.healthRatio);
  io("temperature_celsius", p.temperatureCelsius);
  io("current_ma", p.currentMa);
  io("voltage_mv", p.voltageMv);
  io("charging", p.charging);
  io("external_connected", p.externalConnected);
  io("fully_charged", p.fullyCharged);
  io("charger_watts", p.chargerWatts);
}

void fields(auto&& io, Like<StorageInfo> auto& s) {
  io("total_disk_capacity", s.totalDiskCapacity);
  io("total_data_capacity", s.totalDataCapacity);
  io("total_data_available", s.totalDataAvailable);
  io("amount_data_available", s.amountDataAvailable);
  io("amount_data_reserved", s.amountDataReserved);
}

void fields(auto&& io, Like<AccountInfo> auto& a) {
  io("icloud_signed_in", a.icloudSignedIn);
  io("account_names", a.accountNames);
}

// The invalid values a probe met are not stored.
void fields(auto&& io, Like<ProbeOutcome> auto& p) {
  io("probe", p.probe);
  io.oneOf("status", p.status, kProbeStatuses, ProbeStatus::Error);
  io("error", p.error);
  io("detail", p.detail);
  io("seconds", p.seconds);
}

void fields(auto&& io, Like<DeviceSnapshot> auto& s) {
  io.object("identity", s.identity);
  io("taken_at", s.takenAt);
  io("connected", s.connected);
  io("network", s.network);
  io.oneOf("trust", s.trust, kTrustStates, TrustState::Unknown);
  io.oneOf("wifi", s.wifi, kWifiStates, WifiState::Unknown);
  io.object("backup", s.backup);
  io.object("battery", s.battery);
  io.object("storage", s.storage);
  io.object("account", s.account);
  io.list("probes", s.probes);
  io.object("power_source", s.powerSource);
}

std::string encodeSnapshot(const DeviceSnapshot& s) {
  return dumpSafe(encodeFields(s));
}

Expected<DeviceSnapshot> decodeSnapshot(const std::string& text) {
  return decodeStored<DeviceSnapshot>(text, "snapshot");
}

}  // namespace ibackupmon::codec

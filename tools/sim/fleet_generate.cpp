// SPDX-License-Identifier: Apache-2.0
#include "fleet_generate.h"

#include <array>
#include <cstdio>
#include <random>

#include "product_catalog.h"

namespace sim {
namespace {

constexpr std::array kSituations = {
    "icloud_backup_off", "not_on_power",        "battery_low",       "storage_low",
    "passcode_locked",   "trust_pending",       "trust_denied",      "ios_outdated",
    "stale_unexplained", "clock_skew",          "prohibited_domain", "encryption_no_password",
    "icloud_signed_out", "not_paired",          "invalid_host_id",   "wifi_disconnected",
    "network_device",    "computer_backup_only"};

void situate(DeviceSpec& d, const std::string& s, std::mt19937_64& rng) {
  auto& backup = d.values["com.apple.mobile.backup"];
  auto& battery = d.values["com.apple.mobile.battery"];
  auto days = [&](int lo, int hi) {
    return "ago:" + std::to_string(lo + rng() % (hi - lo + 1)) + "d";
  };
  if (s == "healthy")
    backup["LastCloudBackupDate"] = "ago:" + std::to_string(1 + rng() % 20) + "h";
  else if (s == "icloud_backup_off")
    backup["CloudBackupEnabled"] = false, backup["LastCloudBackupDate"] = days(10, 60);
  else if (s == "not_on_power")
    battery["ExternalConnected"] = false, battery["BatteryIsCharging"] = false,
    battery["FullyCharged"] = false, backup["LastCloudBackupDate"] = days(2, 9);
  else if (s == "battery_low")
    battery["ExternalConnected"] = false, battery["BatteryIsCharging"] = false,
    battery["FullyCharged"] = false, battery["BatteryCurrentCapacity"] = int64_t(3 + rng() % 12),
    backup["LastCloudBackupDate"] = days(2, 5);
  else if (s == "storage_low")
    d.values["com.apple.disk_usage"]["TotalDataAvailable"] = int64_t(100000000 + rng() % 300000000),
    d.values["com.apple.disk_usage"]["AmountDataAvailable"] = int64_t(100000000),
    backup["LastCloudBackupDate"] = days(3, 12);
  else if (s == "passcode_locked")
    d.faults.passcodeLocked = true;
  else if (s == "trust_pending")
    d.faults.trustPending = true;
  else if (s == "trust_denied")
    d.faults.trustDenied = true;
  else if (s == "not_paired")
    d.faults.noPairRecord = true;
  else if (s == "invalid_host_id")
    d.faults.invalidHostId = true;
  else if (s == "stale_unexplained")
    backup["LastCloudBackupDate"] = days(5, 40);
  else if (s == "clock_skew")
    d.clockSkewSeconds = (rng() % 2 ? 1 : -1) * int64_t(3600 + rng() % 86400);
  else if (s == "prohibited_domain")
    d.faults.getProhibited.insert("com.apple.mobile.backup");
  else if (s == "encryption_no_password")
    backup["RequiresEncryption"] = int64_t(1), backup["WillEncrypt"] = false;
  else if (s == "icloud_signed_out") {
    backup["CloudBackupEnabled"] = false;
    backup["LastCloudBackupDate"] = days(30, 200);
    d.icloudAccount = false;
  } else if (s == "wifi_disconnected")
    d.wifiAssociated = false, backup["LastCloudBackupDate"] = days(2, 9);
  else if (s == "network_device")
    d.network = true;
  else if (s == "computer_backup_only")
    backup["CloudBackupEnabled"] = false, backup["LastiTunesBackupDate"] = "ago:1d",
    backup["LastiTunesBackupTZ"] = "GMT-4";
}

}  // namespace

Fleet generateFleet(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Fleet fleet;
  auto products = productCatalog();
  for (int i = 0; i < n; ++i) {
    DeviceSpec d;
    char udid[32];
    std::snprintf(udid, sizeof udid, "00008%03X-%016llX", unsigned(rng() % 0xfff),
                  static_cast<unsigned long long>(rng()));
    d.udid = udid;
    // Every situation appears once before healthy devices fill half of the rest.
    size_t k = static_cast<size_t>(i);
    bool healthy = k >= kSituations.size() && (rng() % 2 == 0);
    d.situation = healthy ? "healthy" : kSituations[k % kSituations.size()];
    const ProductInfo* p = &products[rng() % 5];
    if (d.situation == "ios_outdated") p = &products[5 + rng() % (products.size() - 5)];
    d.values[""]["ProductType"] = std::string(p->productType);
    d.values[""]["ProductVersion"] = std::string(p->productVersion);
    d.values[""]["BuildVersion"] = std::string(p->buildVersion);
    bool ipad = std::string_view(p->productType).starts_with("iPad");
    char name[48];
    std::snprintf(name, sizeof name, "%s-Cart%02d-%02d", ipad ? "iPad" : "iPhone", 1 + i / 30,
                  1 + i % 30);
    d.values[""]["DeviceName"] = std::string(name);
    situate(d, d.situation, rng);
    fleet.devices.push_back(std::move(d));
  }
  return fleet;
}

}  // namespace sim

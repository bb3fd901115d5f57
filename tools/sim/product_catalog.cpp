// SPDX-License-Identifier: Apache-2.0
#include "product_catalog.h"

#include <array>
#include <cstdio>

namespace sim {
namespace {

constexpr std::array kProducts = {
    ProductInfo{"iPhone14,7", "D27AP", "18.4.1", "22E252", false},
    ProductInfo{"iPhone13,2", "D53gAP", "18.4.1", "22E252", false},
    ProductInfo{"iPhone15,2", "D73AP", "18.4.1", "22E252", false},
    ProductInfo{"iPad13,18", "J271AP", "18.4.1", "22E252", false},
    ProductInfo{"iPad12,1", "J181AP", "18.4.1", "22E252", false},
    ProductInfo{"iPhone14,7", "D27AP", "17.5.1", "21F90", true},
    ProductInfo{"iPad13,18", "J271AP", "17.6.1", "21G93", true},
    ProductInfo{"iPhone10,4", "D201AP", "16.7.10", "20H350", true},
    ProductInfo{"iPad7,5", "J71bAP", "15.8.3", "19H386", true},
};
constexpr size_t kCurrentProducts = 5;

std::string macFromHash(uint64_t h) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", 0xa4, unsigned(h >> 8) & 0xff,
                unsigned(h >> 16) & 0xff, unsigned(h >> 24) & 0xff, unsigned(h >> 32) & 0xff,
                unsigned(h >> 40) & 0xff);
  return buf;
}

Plist identity(const DeviceSpec& spec, const ProductInfo& p, uint64_t h) {
  Plist d = newDict();
  bool ipad = std::string_view(p.productType).starts_with("iPad");
  char serial[13];
  std::snprintf(serial, sizeof serial, "F%011llX",
                static_cast<unsigned long long>(h & 0xFFFFFFFFFFFULL));
  dictSetString(d.get(), "DeviceName",
                std::string(ipad ? "iPad-" : "iPhone-") + std::to_string(h % 1000));
  dictSetString(d.get(), "ProductType", p.productType);
  dictSetString(d.get(), "ProductVersion", p.productVersion);
  dictSetString(d.get(), "BuildVersion", p.buildVersion);
  dictSetString(d.get(), "HardwareModel", p.hardwareModel);
  dictSetString(d.get(), "DeviceClass", ipad ? "iPad" : "iPhone");
  dictSetString(d.get(), "ProductName", "iPhone OS");
  dictSetString(d.get(), "SerialNumber", serial);
  dictSetString(d.get(), "UniqueDeviceID", spec.udid);
  dictSetUint(d.get(), "UniqueChipID", h & 0xFFFFFFFFFFFFULL);
  dictSetString(d.get(), "CPUArchitecture", "arm64e");
  dictSetBool(d.get(), "PasswordProtected", true);
  dictSetString(d.get(), "ActivationState", "Activated");
  dictSetString(d.get(), "TimeZone", "America/New_York");
  dictSetBool(d.get(), "Uses24HourClock", false);
  dictSetString(d.get(), "WiFiAddress", macFromHash(h));
  dictSetString(d.get(), "BluetoothAddress", macFromHash(h ^ 0x5a5a5a5a5a5aULL));
  dictSetBool(d.get(), "HostAttached", true);
  dictSetBool(d.get(), "TrustedHostAttached", true);
  dictSetString(d.get(), "RegionInfo", "LL/A");
  dictSetString(d.get(), "ModelNumber", "MLPF3");
  return d;
}

Plist backup(int64_t appleNow, uint64_t h) {
  Plist d = newDict();
  dictSetBool(d.get(), "CloudBackupEnabled", true);
  dictSetUint(d.get(), "LastCloudBackupDate",
              static_cast<uint64_t>(appleNow - 3600 * (2 + h % 20)));
  dictSetString(d.get(), "LastCloudBackupTZ", "GMT-4");
  dictSetUint(d.get(), "RequiresEncryption", 0);
  dictSetString(d.get(), "Version", "2.0");
  return d;
}

Plist battery(uint64_t h) {
  Plist d = newDict();
  uint64_t level = 80 + h % 21;
  dictSetUint(d.get(), "BatteryCurrentCapacity", level);
  dictSetBool(d.get(), "BatteryIsCharging", level < 100);
  dictSetBool(d.get(), "ExternalChargeCapable", true);
  dictSetBool(d.get(), "ExternalConnected", true);
  dictSetBool(d.get(), "FullyCharged", level == 100);
  dictSetBool(d.get(), "GasGaugeCapability", true);
  dictSetBool(d.get(), "HasBattery", true);
  return d;
}

Plist diskUsage(uint64_t h) {
  Plist d = newDict();
  const uint64_t total = 64000000000ULL;
  const uint64_t data = 57000000000ULL;
  const uint64_t avail = 12000000000ULL + (h % 20) * 1000000000ULL;
  dictSetUint(d.get(), "TotalDiskCapacity", total);
  dictSetUint(d.get(), "TotalSystemCapacity", total - data);
  dictSetUint(d.get(), "TotalSystemAvailable", 1200000000ULL);
  dictSetUint(d.get(), "TotalDataCapacity", data);
  dictSetUint(d.get(), "TotalDataAvailable", avail);
  dictSetUint(d.get(), "AmountDataAvailable", avail);
  dictSetUint(d.get(), "AmountDataReserved", 200000000ULL);
  return d;
}

Plist dataSync(bool account) {
  Plist d = newDict();
  for (const char* cls : {"com.apple.Contacts", "com.apple.Calendars", "com.apple.Bookmarks"}) {
    Plist entry = newDict();
    plist_t names = plist_new_array();
    if (account) plist_array_append_item(names, plist_new_string("iCloud"));
    dictSet(entry.get(), "AccountNames", names);
    dictSet(entry.get(), "Sources", plist_new_array());
    dictSet(d.get(), cls, entry.release());
  }
  return d;
}

}  // namespace

std::span<const ProductInfo> productCatalog() {
  return kProducts;
}

std::map<std::string, Plist> defaultDomains(const DeviceSpec& spec, uint64_t hash,
                                            int64_t appleNow) {
  const ProductInfo& p = kProducts[hash % kCurrentProducts];
  std::map<std::string, Plist> out;
  out[""] = identity(spec, p, hash);
  out["com.apple.mobile.backup"] = backup(appleNow, hash);
  out["com.apple.mobile.battery"] = battery(hash);
  out["com.apple.disk_usage"] = diskUsage(hash);
  out["com.apple.mobile.data_sync"] = dataSync(spec.icloudAccount);
  return out;
}

}  // namespace sim

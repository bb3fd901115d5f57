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

void setStr(plist_t d, const char* k, const std::string& v) {
  dictSetString(d, k, v);
}
void setU(plist_t d, const char* k, uint64_t v) {
  dictSet(d, k, plist_new_uint(v));
}
void setB(plist_t d, const char* k, bool v) {
  dictSet(d, k, plist_new_bool(v ? 1 : 0));
}

Plist identity(const DeviceSpec& spec, const ProductInfo& p, uint64_t h) {
  Plist d = newDict();
  bool ipad = std::string_view(p.productType).starts_with("iPad");
  char serial[13];
  std::snprintf(serial, sizeof serial, "F%011llX",
                static_cast<unsigned long long>(h & 0xFFFFFFFFFFFULL));
  setStr(d.get(), "DeviceName", std::string(ipad ? "iPad-" : "iPhone-") + std::to_string(h % 1000));
  setStr(d.get(), "ProductType", p.productType);
  setStr(d.get(), "ProductVersion", p.productVersion);
  setStr(d.get(), "BuildVersion", p.buildVersion);
  setStr(d.get(), "HardwareModel", p.hardwareModel);
  setStr(d.get(), "DeviceClass", ipad ? "iPad" : "iPhone");
  setStr(d.get(), "ProductName", "iPhone OS");
  setStr(d.get(), "SerialNumber", serial);
  setStr(d.get(), "UniqueDeviceID", spec.udid);
  setU(d.get(), "UniqueChipID", h & 0xFFFFFFFFFFFFULL);
  setStr(d.get(), "CPUArchitecture", "arm64e");
  setB(d.get(), "PasswordProtected", true);
  setStr(d.get(), "ActivationState", "Activated");
  setStr(d.get(), "TimeZone", "America/New_York");
  setB(d.get(), "Uses24HourClock", false);
  setStr(d.get(), "WiFiAddress", macFromHash(h));
  setStr(d.get(), "BluetoothAddress", macFromHash(h ^ 0x5a5a5a5a5a5aULL));
  setB(d.get(), "HostAttached", true);
  setB(d.get(), "TrustedHostAttached", true);
  setStr(d.get(), "RegionInfo", "LL/A");
  setStr(d.get(), "ModelNumber", "MLPF3");
  return d;
}

Plist backup(int64_t appleNow, uint64_t h) {
  Plist d = newDict();
  setB(d.get(), "CloudBackupEnabled", true);
  setU(d.get(), "LastCloudBackupDate", static_cast<uint64_t>(appleNow - 3600 * (2 + h % 20)));
  setStr(d.get(), "LastCloudBackupTZ", "GMT-4");
  setU(d.get(), "RequiresEncryption", 0);
  setStr(d.get(), "Version", "2.0");
  return d;
}

Plist battery(uint64_t h) {
  Plist d = newDict();
  uint64_t level = 80 + h % 21;
  setU(d.get(), "BatteryCurrentCapacity", level);
  setB(d.get(), "BatteryIsCharging", level < 100);
  setB(d.get(), "ExternalChargeCapable", true);
  setB(d.get(), "ExternalConnected", true);
  setB(d.get(), "FullyCharged", level == 100);
  setB(d.get(), "GasGaugeCapability", true);
  setB(d.get(), "HasBattery", true);
  return d;
}

Plist diskUsage(uint64_t h) {
  Plist d = newDict();
  const uint64_t total = 64000000000ULL;
  const uint64_t data = 57000000000ULL;
  const uint64_t avail = 12000000000ULL + (h % 20) * 1000000000ULL;
  setU(d.get(), "TotalDiskCapacity", total);
  setU(d.get(), "TotalSystemCapacity", total - data);
  setU(d.get(), "TotalSystemAvailable", 1200000000ULL);
  setU(d.get(), "TotalDataCapacity", data);
  setU(d.get(), "TotalDataAvailable", avail);
  setU(d.get(), "AmountDataAvailable", avail);
  setU(d.get(), "AmountDataReserved", 200000000ULL);
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

// SPDX-License-Identifier: Apache-2.0
#include "store/json_fields.h"
#include "store/store_codec.h"

#include <cmath>

#include "core/time_format.h"

namespace ibackupmon::codec {
namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

Json parseObject(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

void putIdentity(Json& v, const Identity& i) {
  put(v, "name", i.name);
  put(v, "product_type", i.productType);
  put(v, "ios_version", i.productVersion);
  put(v, "build_version", i.buildVersion);
  put(v, "serial", i.serial);
  put(v, "password_protected", i.passwordProtected);
}

// Bands: what diagnosis cares about, not what the device reports to the last digit. A value
// keeps its previous band while it stays within a margin around it (hysteresis), so a level
// wobbling on a band edge does not write a row per probe.
std::int64_t band(std::int64_t value, std::int64_t width, std::int64_t margin,
                  std::optional<std::int64_t> oldStart) {
  if (oldStart && value >= *oldStart - margin && value < *oldStart + width + margin) {
    return *oldStart;
  }
  return (value / width) * width;
}

void putPowerAndStorage(Json& v, const DeviceSnapshot& s) {
  if (s.battery) {
    if (s.battery->level) {
      v["battery_band"] = band(*s.battery->level, 10, 3, get<std::int64_t>(v, "battery_band"));
    }
    put(v, "on_power", s.battery->externalConnected);
  }
  // Battery wear: estimated health in 1-point bands (decided in tenths with a 0.3-point margin),
  // the cycle count on change. Temperature and current change every probe and are not recorded.
  if (s.powerSource) {
    if (s.powerSource->healthRatio) {
      auto oldPct = get<std::int64_t>(v, "battery_health_pct");
      std::optional<std::int64_t> oldTenths;
      if (oldPct) oldTenths = *oldPct * 10;
      const std::int64_t tenths = std::llround(*s.powerSource->healthRatio * 1000.0);
      v["battery_health_pct"] = band(tenths, 10, 3, oldTenths) / 10;
    }
    put(v, "battery_cycle_count", s.powerSource->cycleCount);
  }
  if (s.storage) {
    auto avail = s.storage->totalDataAvailable ? s.storage->totalDataAvailable
                                               : s.storage->amountDataAvailable;
    if (avail) {  // GiB bands, decided in MiB with a 256 MiB margin
      auto oldGiB = get<std::int64_t>(v, "storage_free_gib");
      std::optional<std::int64_t> oldMiB;
      if (oldGiB) oldMiB = *oldGiB * 1024;
      auto mib = static_cast<std::int64_t>(*avail >> 20);
      v["storage_free_gib"] = band(mib, 1024, 256, oldMiB) / 1024;
    }
    if (s.storage->totalDataCapacity) {
      v["storage_capacity_gib"] = *s.storage->totalDataCapacity / kGiB;
    }
  }
}

}  // namespace

std::string observationValues(const DeviceSnapshot& s, const std::string& previousJson) {
  Json v = parseObject(previousJson);
  putIdentity(v, s.identity);
  if (s.trust != TrustState::Unknown) v["trust"] = toString(s.trust);
  if (s.wifi != WifiState::Unknown) v["wifi"] = toString(s.wifi);
  if (s.backup) {
    put(v, "cloud_backup_enabled", s.backup->cloudBackupEnabled);
    put(v, "will_encrypt", s.backup->willEncrypt);
    put(v, "requires_encryption", s.backup->requiresEncryption);
  }
  putPowerAndStorage(v, s);
  if (s.account) put(v, "icloud_signed_in", s.account->icloudSignedIn);
  if (!s.probes.empty()) {
    Json errors = Json::array();
    for (const auto& p : s.probes) {
      if (p.status != ProbeStatus::Ok) errors.push_back(p.probe + ":" + p.error);
    }
    v["probe_errors"] = errors;
  }
  return dumpSafe(v);
}

std::string observationChanges(const std::string& previousJson, const std::string& currentJson) {
  Json prev = parseObject(previousJson);
  Json cur = parseObject(currentJson);
  Json changes = Json::object();
  for (const auto& [k, val] : cur.items()) {
    auto it = prev.find(k);
    if (it == prev.end() || *it != val) changes[k] = val;
  }
  for (const auto& [k, val] : prev.items()) {
    if (!cur.contains(k)) changes[k] = nullptr;
  }
  return dumpSafe(changes);
}

bool noteStepBack(std::string& changesJson, const char* key,
                  const std::optional<std::int64_t>& remembered,
                  const std::optional<TimePoint>& reported) {
  if (!remembered || !reported || toUnixSeconds(*reported) >= *remembered) return false;
  Json changes = parseObject(changesJson);
  changes[key] =
      Json{{"from", formatRfc3339(fromUnixSeconds(*remembered))}, {"to", formatRfc3339(*reported)}};
  changesJson = dumpSafe(changes);
  return true;
}

std::int64_t stableHash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

}  // namespace ibackupmon::codec

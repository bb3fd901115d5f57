// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "probes/facets.h"
#include "probes/plist_fields.h"

namespace ibackupmon {
namespace {

constexpr const char* kWhere = "IORegistry IOPMPowerSource";

// A nested dict (BatteryData, AdapterDetails): nullptr when absent; an InvalidValue when it is
// something else.
const PlistDict* nestedDict(const PlistDict& entry, const std::string& key,
                            std::vector<InvalidValue>& invalid) {
  const PlistValue* v = findKey(entry, key);
  if (v == nullptr) return nullptr;
  if (const auto* d = v->get<PlistDict>()) return d;
  invalid.push_back(
      {kWhere, key, plistTypeName(*v),
       std::string(kWhere) + " " + key + ": expected a dict, found " + plistTypeName(*v)});
  return nullptr;
}

// Watts as an integer or a real, 0..1000.
std::optional<double> readWatts(const PlistDict& adapter, std::vector<InvalidValue>& invalid) {
  const PlistValue* v = findKey(adapter, "Watts");
  if (v == nullptr) return std::nullopt;
  std::optional<double> w;
  if (const auto* i = v->get<std::int64_t>()) w = static_cast<double>(*i);
  if (const auto* r = v->get<double>()) w = *r;
  if (w && *w >= 0 && *w <= 1000) return w;
  invalid.push_back({kWhere, "AdapterDetails.Watts", plistTypeName(*v),
                     std::string(kWhere) + " AdapterDetails.Watts: expected a number 0..1000, " +
                         "found " + (w ? "a value out of range" : plistTypeName(*v))});
  return std::nullopt;
}

}  // namespace

Parsed<PowerSourceInfo> parsePowerSource(const PlistDict& entry) {
  FieldReader r(entry, kWhere);
  std::vector<InvalidValue> nestedInvalid;
  PowerSourceInfo p;
  constexpr std::int64_t kMaxMah = 100000;  // larger than any iPad pack
  p.cycleCount = r.integerIn("CycleCount", 0, 100000);
  p.designCapacityMah = r.integerIn("DesignCapacity", 1, kMaxMah);
  if (auto raw = r.integerIn("AppleRawMaxCapacity", 0, kMaxMah)) {
    p.maxCapacityMah = raw, p.maxCapacityKey = "AppleRawMaxCapacity";
  } else if (auto nominal = r.integerIn("NominalChargeCapacity", 0, kMaxMah)) {
    p.maxCapacityMah = nominal, p.maxCapacityKey = "NominalChargeCapacity";
  }
  const PlistDict* data = nestedDict(entry, "BatteryData", nestedInvalid);
  if (data != nullptr) {
    FieldReader d(*data, std::string(kWhere) + " BatteryData");
    auto full = d.integerIn("FullChargeCapacity", 0, kMaxMah);
    if (!p.maxCapacityMah && full) {
      p.maxCapacityMah = full, p.maxCapacityKey = "BatteryData.FullChargeCapacity";
    }
    if (!p.designCapacityMah) p.designCapacityMah = d.integerIn("DesignCapacity", 1, kMaxMah);
    if (!p.cycleCount) p.cycleCount = d.integerIn("CycleCount", 0, 100000);
    for (const auto& bad : d.invalid()) nestedInvalid.push_back(bad);
  }
  if (p.maxCapacityMah && p.designCapacityMah) {
    const double ratio =
        static_cast<double>(*p.maxCapacityMah) / static_cast<double>(*p.designCapacityMah);
    p.healthRatio = std::clamp(ratio, 0.0, 1.5);
  }
  // Hundredths of a degree Celsius; -40..+150 °C covers every reading a battery survives.
  if (auto t = r.integerIn("Temperature", -4000, 15000)) p.temperatureCelsius = *t / 100.0;
  p.currentMa = r.integerIn("InstantAmperage", -100000, 100000);
  p.voltageMv = r.integerIn("Voltage", 0, 100000);
  p.charging = r.flag("IsCharging");
  p.externalConnected = r.flag("ExternalConnected");
  p.fullyCharged = r.flag("FullyCharged");
  if (const PlistDict* adapter = nestedDict(entry, "AdapterDetails", nestedInvalid)) {
    p.chargerWatts = readWatts(*adapter, nestedInvalid);
  }
  std::vector<InvalidValue> invalid = r.invalid();
  invalid.insert(invalid.end(), nestedInvalid.begin(), nestedInvalid.end());
  return {std::move(p), std::move(invalid)};
}

ProbeResult readPowerSource(DeviceSession& session, DeviceSnapshot& snapshot) {
  // By class alone: the entry is AppleSmartBattery on current devices, AppleARMPMUCharger on
  // older ones.
  auto entry = session.ioregistryEntry("", kPowerSourceClass);
  if (!entry) return ProbeResult::noData(entry.error());  // best effort, as the Wi-Fi entry
  if (!*entry) {
    return ProbeResult::noData(Error{"no_entry", "no IOPMPowerSource entry in the IORegistry"});
  }
  auto parsed = parsePowerSource(**entry);
  snapshot.powerSource = std::move(parsed.value);
  return ProbeResult::ok(std::move(parsed.invalid));
}

}  // namespace ibackupmon

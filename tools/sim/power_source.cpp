// SPDX-License-Identifier: Apache-2.0
#include "power_source.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "device_values.h"

namespace sim {
namespace {

struct BatteryModel {
  std::string_view productPrefix;  // a ProductType or its family prefix
  uint64_t designMah;
  uint64_t adapterWatts;
};

// Design capacities as Apple's teardown-confirmed figures; the first match wins.
constexpr std::array kModels = {
    BatteryModel{"iPhone14,7", 3227, 20}, BatteryModel{"iPhone13,2", 2815, 20},
    BatteryModel{"iPhone15,2", 3200, 20}, BatteryModel{"iPhone10,4", 1821, 5},
    BatteryModel{"iPad13,18", 7606, 20},  BatteryModel{"iPad12,1", 8557, 12},
    BatteryModel{"iPad7,5", 8827, 12},    BatteryModel{"iPad", 7606, 20},
    BatteryModel{"iPhone", 3000, 20},
};

const BatteryModel& modelFor(const std::string& productType) {
  for (const auto& m : kModels) {
    if (productType.starts_with(m.productPrefix)) return m;
  }
  return kModels.back();
}

plist_t lookup(const std::map<std::string, Plist>& domains, const std::string& domain,
               const char* key) {
  auto it = domains.find(domain);
  if (it == domains.end() || !it->second) return nullptr;
  return plist_dict_get_item(it->second.get(), key);
}

bool boolIn(const std::map<std::string, Plist>& domains, const char* domain, const char* key,
            bool fallback) {
  plist_t v = lookup(domains, domain, key);
  if (v == nullptr || plist_get_node_type(v) != PLIST_BOOLEAN) return fallback;
  uint8_t b = 0;
  plist_get_bool_val(v, &b);
  return b != 0;
}

// iOS sends a negative current as the unsigned 64-bit number of its two's complement. libplist
// 2.2 writes an integer node made by plist_new_uint as signed; a node parsed from a number above
// INT64_MAX keeps its 128-bit width and is written unsigned, in XML and in binary.
plist_t amperageNode(int64_t ma) {
  if (ma >= 0) return plist_new_uint(static_cast<uint64_t>(ma));
  const std::string xml = "<plist version=\"1.0\"><integer>" +
                          std::to_string(static_cast<uint64_t>(ma)) + "</integer></plist>";
  plist_t node = nullptr;
  plist_from_xml(xml.c_str(), static_cast<uint32_t>(xml.size()), &node);
  return node != nullptr ? node : plist_new_uint(static_cast<uint64_t>(ma));
}

bool isAbsentMarker(plist_t v) {
  if (plist_get_node_type(v) != PLIST_STRING) return false;
  const char* text = plist_get_string_ptr(v, nullptr);
  return text != nullptr && std::string_view(text) == "absent";
}

// Applies one override: a dotted key reaches into (and creates) a nested dict.
void applyOverride(plist_t entry, const std::string& key, plist_t value) {
  const auto dot = key.find('.');
  if (dot != std::string::npos && dot > 0 && dot + 1 < key.size()) {
    const std::string outer = key.substr(0, dot);
    plist_t nested = plist_dict_get_item(entry, outer.c_str());
    if (nested == nullptr || plist_get_node_type(nested) != PLIST_DICT) {
      nested = plist_new_dict();
      plist_dict_set_item(entry, outer.c_str(), nested);
    }
    applyOverride(nested, key.substr(dot + 1), value);
    return;
  }
  if (isAbsentMarker(value)) {
    plist_dict_remove_item(entry, key.c_str());
    return;
  }
  // A signed integer override goes out as iOS sends it.
  if (key == "InstantAmperage" && plist_get_node_type(value) == PLIST_UINT) {
    uint64_t u = 0;
    plist_get_uint_val(value, &u);
    plist_dict_set_item(entry, key.c_str(), amperageNode(static_cast<int64_t>(u)));
    return;
  }
  plist_dict_set_item(entry, key.c_str(), copyPlist(value).release());
}

}  // namespace

bool asksForPowerSource(const std::string& entryName, const std::string& entryClass) {
  return entryClass == "IOPMPowerSource" || entryName == "AppleSmartBattery" ||
         entryClass == "AppleSmartBattery";
}

Plist powerSourceEntry(const std::string& udid, const std::map<std::string, Plist>& domains) {
  const uint64_t h = udidHash(udid);
  plist_t type = lookup(domains, "", "ProductType");
  const std::string productType = type != nullptr && plist_get_node_type(type) == PLIST_STRING
                                      ? std::string(plist_get_string_ptr(type, nullptr))
                                      : std::string("iPhone");
  const BatteryModel& model = modelFor(productType);
  const char* battery = "com.apple.mobile.battery";
  const bool external = boolIn(domains, battery, "ExternalConnected", true);
  const bool charging = boolIn(domains, battery, "BatteryIsCharging", false);
  const bool full = boolIn(domains, battery, "FullyCharged", false);
  uint64_t level = 90;
  if (plist_t v = lookup(domains, battery, "BatteryCurrentCapacity");
      v != nullptr && plist_get_node_type(v) == PLIST_UINT) {
    plist_get_uint_val(v, &level);
  }

  // A healthy battery: 88-97 % of design after 100-399 cycles, 29-32 °C.
  const uint64_t design = model.designMah;
  const uint64_t rawMax = design * (88 + h % 10) / 100;
  Plist entry = newDict();
  plist_t e = entry.get();
  dictSetString(e, "IOClass", "AppleSmartBattery");
  dictSetString(e, "Name", "AppleSmartBattery");
  dictSetUint(e, "CycleCount", 100 + (h >> 8) % 300);
  dictSetUint(e, "DesignCapacity", design);
  dictSetUint(e, "AppleRawMaxCapacity", rawMax);
  dictSetUint(e, "NominalChargeCapacity", rawMax + 12);
  dictSetUint(e, "AppleRawCurrentCapacity", rawMax * level / 100);
  dictSetUint(e, "CurrentCapacity", level);  // a percentage, as on current systems
  dictSetUint(e, "MaxCapacity", 100);        // a percentage too
  dictSetUint(e, "Temperature", 2900 + (h >> 16) % 300);
  dictSetUint(e, "Voltage", 3800 + level * 4);
  const int64_t amperage = charging ? static_cast<int64_t>(design / 4) : external ? 0 : -310;
  plist_dict_set_item(e, "InstantAmperage", amperageNode(amperage));
  dictSetBool(e, "IsCharging", charging);
  dictSetBool(e, "ExternalConnected", external);
  dictSetBool(e, "ExternalChargeCapable", external);
  dictSetBool(e, "FullyCharged", full);
  dictSetBool(e, "BatteryInstalled", true);
  plist_t data = plist_new_dict();
  dictSetUint(data, "CycleCount", 100 + (h >> 8) % 300);
  dictSetUint(data, "DesignCapacity", design);
  plist_dict_set_item(e, "BatteryData", data);
  if (external) {
    plist_t adapter = plist_new_dict();
    dictSetUint(adapter, "Watts", model.adapterWatts);
    dictSetUint(adapter, "Voltage", model.adapterWatts >= 20 ? 9000 : 5000);
    dictSetUint(adapter, "Amperage", model.adapterWatts >= 20 ? 2220 : 2400);
    dictSetString(adapter, "Description", "pd charger");
    plist_dict_set_item(e, "AdapterDetails", adapter);
  }

  auto it = domains.find(kPowerSourceDomain);
  if (it != domains.end() && it->second) {
    plist_dict_iter iter = nullptr;
    plist_dict_new_iter(it->second.get(), &iter);
    for (;;) {
      char* key = nullptr;
      plist_t value = nullptr;
      plist_dict_next_item(it->second.get(), iter, &key, &value);
      if (key == nullptr) break;
      applyOverride(e, key, value);
      std::free(key);  // libplist allocates with malloc
    }
    std::free(iter);
  }
  return entry;
}

}  // namespace sim

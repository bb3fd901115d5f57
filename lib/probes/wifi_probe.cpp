// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

namespace ibackupmon {

WifiState parseWifiState(const PlistDict& entry) {
  constexpr std::int64_t kLinkValid = 1;
  constexpr std::int64_t kLinkActive = 2;
  if (const PlistValue* v = findKey(entry, "IOLinkStatus")) {
    if (const auto* status = v->get<std::int64_t>(); status != nullptr && (*status & kLinkValid)) {
      return (*status & kLinkActive) ? WifiState::Associated : WifiState::NotAssociated;
    }
  }
  if (const PlistValue* v = findKey(entry, "IO80211SSID")) {
    if (const auto* ssid = v->get<std::string>(); ssid != nullptr && !ssid->empty()) {
      return WifiState::Associated;
    }
  }
  return WifiState::Unknown;
}

ProbeResult readWifi(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto entry = session.ioregistryEntry(kWifiEntryName, kWifiEntryClass);
  if (!entry) {
    // Best effort by design: a device without the service or entry is "unknown", not broken.
    return ProbeResult::noData(entry.error());
  }
  if (!*entry) {
    return ProbeResult::noData(Error{"no_entry", "no Wi-Fi interface entry in the IORegistry"});
  }
  snapshot.wifi = parseWifiState(**entry);
  return ProbeResult::ok();
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Wi-Fi association, best effort: the IORegistry entry of the Wi-Fi interface through
/// diagnostics_relay (AppleBCMWLANSkywalkInterface, else class IO80211Interface). Works on some
/// devices only (device-facts.md): anything not positively seen is WifiState::Unknown.

#include "probes/probe.h"

namespace ibackupmon {

inline constexpr const char* kWifiEntryName = "AppleBCMWLANSkywalkInterface";
inline constexpr const char* kWifiEntryClass = "IO80211Interface";

/// Reads IOLinkStatus (IONetworkInterface bits: 1 = valid, 2 = active) and, as a second sign,
/// a non-empty IO80211SSID. Unknown when neither says anything.
WifiState parseWifiState(const PlistDict& entry);

class WifiProbe final : public Probe {
 public:
  const char* name() const override { return "wifi"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Power: com.apple.mobile.battery (charge level, external power, charging).

#include "probes/probe.h"

namespace ibackupmon {

inline constexpr const char* kBatteryDomain = "com.apple.mobile.battery";

/// BatteryCurrentCapacity outside 0..100 is an invalid value (unknown level), naming the value.
Parsed<BatteryInfo> parseBatteryInfo(const PlistDict& dict);

class BatteryProbe final : public Probe {
 public:
  const char* name() const override { return "battery"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

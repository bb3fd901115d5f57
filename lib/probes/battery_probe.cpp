// SPDX-License-Identifier: Apache-2.0
#include "probes/battery_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Parsed<BatteryInfo> parseBatteryInfo(const PlistDict& dict) {
  FieldReader r(dict, kBatteryDomain);
  BatteryInfo b;
  if (auto level = r.integerIn("BatteryCurrentCapacity", 0, 100))
    b.level = static_cast<int>(*level);
  b.charging = r.boolean("BatteryIsCharging");
  b.externalConnected = r.boolean("ExternalConnected");
  b.externalChargeCapable = r.boolean("ExternalChargeCapable");
  b.fullyCharged = r.boolean("FullyCharged");
  b.hasBattery = r.boolean("HasBattery");
  return {std::move(b), r.invalid()};
}

ProbeResult BatteryProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kBatteryDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto info = parseBatteryInfo(*dict);
  snapshot.battery = std::move(info.value);
  return ProbeResult::ok(std::move(info.invalid));
}

}  // namespace ibackupmon

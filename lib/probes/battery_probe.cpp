// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

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

ProbeResult readBattery(DeviceSession& session, DeviceSnapshot& snapshot) {
  return readDomain(session, kBatteryDomain, parseBatteryInfo, snapshot.battery);
}

}  // namespace ibackupmon

#include "probes/battery_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Expected<BatteryInfo> parseBatteryInfo(const PlistDict& dict) {
  const FieldReader r(dict, kBatteryDomain);
  ParseState p;
  BatteryInfo b;
  std::optional<std::int64_t> level;
  p.take(level, r.integer("BatteryCurrentCapacity"));
  p.take(b.charging, r.boolean("BatteryIsCharging"));
  p.take(b.externalConnected, r.boolean("ExternalConnected"));
  p.take(b.externalChargeCapable, r.boolean("ExternalChargeCapable"));
  p.take(b.fullyCharged, r.boolean("FullyCharged"));
  p.take(b.hasBattery, r.boolean("HasBattery"));
  if (level && (*level < 0 || *level > 100)) {
    return makeError(errc::kParse, std::string(kBatteryDomain) +
                                       ": BatteryCurrentCapacity: expected 0..100, found " +
                                       std::to_string(*level));
  }
  if (level) b.level = static_cast<int>(*level);
  return p.finish(std::move(b));
}

ProbeResult BatteryProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kBatteryDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto info = parseBatteryInfo(*dict);
  if (!info) return ProbeResult::failed(info.error());
  snapshot.battery = std::move(*info);
  return ProbeResult::ok();
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Rules about power and the battery: not_on_power, battery_low, battery_worn, battery_hot and
// not_charging_on_power. Power facts are live only: a reading from an earlier attach says nothing
// about now. Where the battery domain and the IORegistry entry disagree about power or charging,
// the battery domain wins (facts::power).
#include <cmath>
#include <cstdlib>

#include "diagnosis/condition_catalog.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

/// Above this level iOS pauses charging on purpose (the 80 % limit, optimised charging), so
/// "on power, not charging" is only a fault below it.
constexpr int kChargePauseLevel = 70;

void addBatteryEvidence(Condition& c, const facts::Power& p) {
  c.evidence["ExternalConnected"] = facts::boolText(p.externalConnected);
  c.evidence["BatteryIsCharging"] = facts::boolText(p.charging);
  if (p.level) c.evidence["BatteryCurrentCapacity"] = std::to_string(*p.level);
}

std::string oneDecimal(double v) {
  const long tenths = std::lround(v * 10.0);
  return std::string(tenths < 0 ? "-" : "") + std::to_string(std::labs(tenths) / 10) + "." +
         std::to_string(std::labs(tenths) % 10);
}

void notOnPowerRule(RuleContext& ctx, const facts::Power& p) {
  if (p.externalConnected != false) return;
  Condition& c = ctx.raise(cond::kNotOnPower, ctx.now());
  addBatteryEvidence(c, p);
}

// Low and charging fixes itself. Low and on battery, or plugged in but not charging (a weak hub
// port or bad cable), does not: both are raised.
void batteryLowRule(RuleContext& ctx, const facts::Power& p) {
  if (!p.level || *p.level >= ctx.config().batteryLow) return;
  if (p.externalConnected == true && p.charging == true) return;
  Condition& c = ctx.raise(cond::kBatteryLow, ctx.now());
  addBatteryEvidence(c, p);
  c.evidence["battery_low"] = std::to_string(ctx.config().batteryLow);
  const std::string level = std::to_string(*p.level) + "%";
  c.summary = p.externalConnected == true
                  ? "Battery at " + level + " and not charging although on external power"
                  : "Battery at " + level + " and not charging";
}

// Wear changes over months: the last reading counts while the device is away.
void batteryWornRule(RuleContext& ctx) {
  const auto ps = facts::powerSource(ctx.in());
  if (!ps || !ps->healthRatio) return;
  const double percent = *ps->healthRatio * 100.0;
  if (percent >= ctx.config().batteryHealth) return;
  Condition& c = ctx.raise(cond::kBatteryWorn, ctx.now());
  const std::string pct = oneDecimal(percent);
  c.evidence["estimated_health_percent"] = pct;
  c.evidence[ps->maxCapacityKey.value_or("max_capacity")] = std::to_string(*ps->maxCapacityMah);
  c.evidence["DesignCapacity"] = std::to_string(*ps->designCapacityMah);
  if (ps->cycleCount) c.evidence["CycleCount"] = std::to_string(*ps->cycleCount);
  c.evidence["battery_health"] = std::to_string(ctx.config().batteryHealth);
  c.summary = "Battery health about " + pct + "% of design (estimated" +
              (ps->cycleCount ? ", " + std::to_string(*ps->cycleCount) + " cycles" : "") + ")";
  noteObservedAt(c, ps);
}

bool hot(const DeviceSnapshot& s, int threshold) {
  return s.powerSource && s.powerSource->temperatureCelsius &&
         *s.powerSource->temperatureCelsius >= threshold;
}

void batteryHotRule(RuleContext& ctx, const DeviceSnapshot& live) {
  const int threshold = ctx.config().batteryTemperature;
  const auto* before = facts::previousProbe(ctx.in());
  if (!hot(live, threshold) || before == nullptr || !hot(*before, threshold)) return;
  Condition& c = ctx.raise(cond::kBatteryHot, before->takenAt);
  const std::string t = oneDecimal(*live.powerSource->temperatureCelsius);
  c.evidence["Temperature"] = t + " °C";
  c.evidence["previous_probe"] = oneDecimal(*before->powerSource->temperatureCelsius) + " °C at " +
                                 formatRfc3339(before->takenAt);
  c.evidence["battery_temperature"] = std::to_string(threshold);
  c.summary = "Battery at " + t + " °C on two probes in a row";
}

bool stuckOnPower(const facts::Power& p) {
  return p.externalConnected == true && p.fullyCharged != true && p.charging == false && p.level &&
         *p.level < kChargePauseLevel;
}

void notChargingOnPowerRule(RuleContext& ctx, const DeviceSnapshot& live) {
  const auto now = facts::power(live);
  const auto* before = facts::previousProbe(ctx.in());
  if (!stuckOnPower(now) || before == nullptr || !stuckOnPower(facts::power(*before))) return;
  Condition& c = ctx.raise(cond::kNotChargingOnPower, before->takenAt);
  addBatteryEvidence(c, now);
  c.evidence["FullyCharged"] = facts::boolText(now.fullyCharged);
  c.evidence["previous_probe"] = formatRfc3339(before->takenAt);
  if (live.powerSource && live.powerSource->currentMa) {
    c.evidence["InstantAmperage"] = std::to_string(*live.powerSource->currentMa) + " mA";
  }
  if (live.powerSource && live.powerSource->chargerWatts) {
    c.evidence["AdapterDetails.Watts"] = oneDecimal(*live.powerSource->chargerWatts);
  }
  if (ctx.in().slot) c.evidence["slot"] = ctx.in().slot->label.value_or(ctx.in().slot->port);
  c.summary = "On external power at " + std::to_string(*now.level) +
              "% but not charging, on two probes in a row";
}

}  // namespace

void powerRules(RuleContext& ctx) {
  batteryWornRule(ctx);
  const auto* live = facts::live(ctx.in());
  if (!live || (!live->battery && !live->powerSource)) return;
  if (live->battery && live->battery->hasBattery == false) return;
  const auto p = facts::power(*live);
  notOnPowerRule(ctx, p);
  batteryLowRule(ctx, p);
  batteryHotRule(ctx, *live);
  notChargingOnPowerRule(ctx, *live);
}

}  // namespace ibackupmon

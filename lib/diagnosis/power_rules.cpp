// SPDX-License-Identifier: Apache-2.0
// Rules about power: not_on_power and battery_low. Live facts only: a battery reading from an
// earlier attach says nothing about now.
#include "diagnosis/condition_catalog.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

void addBatteryEvidence(Condition& c, const BatteryInfo& b) {
  c.evidence["ExternalConnected"] = facts::boolText(b.externalConnected);
  c.evidence["BatteryIsCharging"] = facts::boolText(b.charging);
  if (b.level) c.evidence["BatteryCurrentCapacity"] = std::to_string(*b.level);
}

void notOnPowerRule(RuleContext& ctx, const BatteryInfo& b) {
  if (b.externalConnected != false) return;
  Condition& c = ctx.raise(cond::kNotOnPower, ctx.now());
  addBatteryEvidence(c, b);
}

// Low and charging fixes itself. Low and on battery, or plugged in but not charging (a weak hub
// port or bad cable), does not: both are raised.
void batteryLowRule(RuleContext& ctx, const BatteryInfo& b) {
  if (!b.level || *b.level >= ctx.config().batteryLow) return;
  if (b.externalConnected == true && b.charging == true) return;
  Condition& c = ctx.raise(cond::kBatteryLow, ctx.now());
  addBatteryEvidence(c, b);
  c.evidence["battery_low"] = std::to_string(ctx.config().batteryLow);
  const std::string level = std::to_string(*b.level) + "%";
  c.summary = b.externalConnected == true
                  ? "Battery at " + level + " and not charging although on external power"
                  : "Battery at " + level + " and not charging";
}

}  // namespace

void powerRules(RuleContext& ctx) {
  const auto* live = facts::live(ctx.in());
  if (!live || !live->battery) return;
  if (live->battery->hasBattery == false) return;
  notOnPowerRule(ctx, *live->battery);
  batteryLowRule(ctx, *live->battery);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Rules about the device's surroundings: icloud_signed_out (a proxy), wifi_disconnected and
// apple_service_outage (information only: it never suppresses another condition).
#include <algorithm>

#include "diagnosis/condition_catalog.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

// No key says "signed in"; data_sync without an iCloud account, and backup not enabled (which
// would imply an account), is the best proxy there is.
void signedOutRule(RuleContext& ctx) {
  const auto account = facts::account(ctx.in());
  if (!account || account->icloudSignedIn != false || !ctx.icloudMatters()) return;
  const auto backup = facts::backup(ctx.in());
  const std::optional<bool> enabled = backup ? backup->cloudBackupEnabled : std::nullopt;
  if (enabled == true) return;
  Condition& c = ctx.raise(cond::kIcloudSignedOut, ctx.now());
  std::string names;
  for (const auto& n : account->accountNames) names += (names.empty() ? "" : ", ") + n;
  c.evidence["AccountNames"] = names.empty() ? "none" : names;
  c.evidence["CloudBackupEnabled"] = facts::boolText(enabled);
  noteObservedAt(c, account);
}

void wifiRule(RuleContext& ctx) {
  const auto* live = facts::live(ctx.in());
  if (!live || live->wifi != WifiState::NotAssociated || !ctx.icloudMatters()) return;
  Condition& c = ctx.raise(cond::kWifiDisconnected, ctx.now());
  c.evidence["wifi"] = toString(live->wifi);
}

void outageRule(RuleContext& ctx) {
  const auto& outages = ctx.in().external.outages;
  if (outages.empty() || !ctx.icloudCounts()) return;
  TimePoint since = ctx.now();
  for (const auto& o : outages) {
    if (o.startedAt) since = std::min(since, *o.startedAt);
  }
  Condition& c = ctx.raise(cond::kAppleServiceOutage, since);
  for (const auto& o : outages) {
    c.evidence["service:" + o.service] =
        o.statusType.empty() ? o.message : o.statusType + ": " + o.message;
  }
  c.summary = "Apple reports a problem with " + outages.front().service +
              (outages.size() > 1 ? " and " + std::to_string(outages.size() - 1) + " more" : "");
}

}  // namespace

void environmentRules(RuleContext& ctx) {
  signedOutRule(ctx);
  wifiRule(ctx);
  outageRule(ctx);
}

}  // namespace ibackupmon

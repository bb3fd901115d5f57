// SPDX-License-Identifier: Apache-2.0
// Rules about reaching the device: passcode_locked, trust_pending, trust_denied, not_paired,
// values_prohibited, device_values_invalid and probe_failing. Each makes values unknown, never
// healthy.
#include "diagnosis/condition_catalog.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

std::string_view trustConditionId(TrustState s) {
  switch (s) {
    case TrustState::PasscodeLocked: return cond::kPasscodeLocked;
    case TrustState::TrustPending: return cond::kTrustPending;
    case TrustState::TrustDenied: return cond::kTrustDenied;
    case TrustState::NotPaired: return cond::kNotPaired;
    case TrustState::Unknown:
    case TrustState::Trusted: return {};
  }
  return {};
}

void trustStateRule(RuleContext& ctx, const DeviceSnapshot& live) {
  const auto id = trustConditionId(live.trust);
  if (id.empty()) return;
  Condition& c = ctx.raise(id, ctx.now());
  c.evidence["trust"] = toString(live.trust);
}

void prohibitedRule(RuleContext& ctx, const DeviceSnapshot& live) {
  std::map<std::string, std::string> hits;
  for (const auto& p : live.probes) {
    if (p.status != ProbeStatus::Ok && p.error == "get_prohibited") {
      hits["probe:" + p.probe] = p.detail.empty() ? p.error : p.error + ": " + p.detail;
    }
  }
  if (hits.empty()) return;
  Condition& c = ctx.raise(cond::kValuesProhibited, ctx.now());
  c.evidence = std::move(hits);
}

// Evidence: "keys" lists every unusable key; each key says what was sent and what was expected.
void invalidValuesRule(RuleContext& ctx, const DeviceSnapshot& live) {
  std::map<std::string, std::string> hits;
  for (const auto& p : live.probes) {
    for (const auto& v : p.invalid) hits[v.key] = v.type + ": " + v.detail;
  }
  if (hits.empty()) return;
  std::string keys;
  for (const auto& [key, what] : hits) keys += (keys.empty() ? "" : ", ") + key;
  Condition& c = ctx.raise(cond::kDeviceValuesInvalid, ctx.now());
  c.evidence = std::move(hits);
  c.evidence["keys"] = keys;
}

bool trustExplainsFailures(const DeviceSnapshot* live) {
  return live && !trustConditionId(live->trust).empty();
}

bool readsFailed(const DeviceSnapshot& s) {
  for (const auto& p : s.probes) {
    if (p.status == ProbeStatus::Error && p.error != "get_prohibited") return true;
  }
  return false;
}

// A failed cycle is one that did not read the device: the session did not open, or it opened and
// every read failed (deviceAnswered). While the backup state is known, a few failed cycles in a
// row are tolerated (no flapping on one lost read). When it is unknown, an unknown device always
// says why: one failed cycle is enough, and so is a cycle where only some reads failed.
bool probesFailing(const RuleContext& ctx) {
  const auto& in = ctx.in();
  const int failures = in.history.consecutiveProbeFailures;
  if (backupState(in, ctx.config(), ctx.now()) != BackupState::Unknown) {
    return facts::attached(in) && failures >= ctx.config().probeFailingAfter;
  }
  return (facts::attached(in) && failures >= 1) || (in.snapshot && readsFailed(*in.snapshot));
}

void probeFailingRule(RuleContext& ctx) {
  const auto& h = ctx.in().history;
  if (!probesFailing(ctx)) return;
  if (trustExplainsFailures(facts::live(ctx.in()))) return;  // the trust condition says why
  Condition& c = ctx.raise(cond::kProbeFailing, h.probeFailingSince.value_or(ctx.now()));
  c.evidence["consecutive_failures"] = std::to_string(h.consecutiveProbeFailures);
  if (h.probeFailingSince) c.evidence["failing_since"] = formatRfc3339(*h.probeFailingSince);
  c.evidence["last_good_probe"] = h.lastGoodProbe ? formatRfc3339(*h.lastGoodProbe) : "never";
  if (!facts::attached(ctx.in())) c.evidence["attached"] = "false";
  if (!ctx.in().snapshot) return;
  for (const auto& p : ctx.in().snapshot->probes) {
    if (p.status == ProbeStatus::Error) {
      c.evidence["probe:" + p.probe] = p.detail.empty() ? p.error : p.error + ": " + p.detail;
    }
  }
}

}  // namespace

void trustRules(RuleContext& ctx) {
  if (const auto* live = facts::live(ctx.in())) {
    trustStateRule(ctx, *live);
    prohibitedRule(ctx, *live);
    invalidValuesRule(ctx, *live);
  }
  probeFailingRule(ctx);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// remediation_failed: an action ibackupmond took on the device failed, or the device came back
// from a restart worse than it went (docs/remediation.md). A warning that the alert policy mails
// at once like a critical condition (alert/policy.h).
#include "core/time_format.h"
#include "diagnosis/condition_catalog.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {

void remediationFailedRule(RuleContext& ctx) {
  const auto& a = ctx.in().lastAction;
  // A local backup's failures have a condition of their own (local_backup_failing).
  if (!a || a->action == RemediationAction::LocalBackup) return;
  if (a->result != ActionResult::Failed || !a->finishedAt) return;
  const bool leftWorse = a->outcome == action_outcome::kCameBackLocked ||
                         a->outcome == action_outcome::kCameBackUntrusted ||
                         a->outcome == action_outcome::kDidNotComeBack;
  if (leftWorse) {
    // Over once the device is read again, trusting the host, after the restart.
    const auto& good = ctx.in().history.lastGoodProbe;
    const auto& s = ctx.in().snapshot;
    if (good && *good > *a->finishedAt && s && s->connected && s->trust == TrustState::Trusted) {
      return;
    }
  } else {
    // A request the device refused (or could not confirm) matters while what it was for lasts.
    const char* cause =
        a->action == RemediationAction::Restart ? "stale_unexplained" : "icloud_backup_disabled";
    if (!ctx.in().history.openConditions.contains(cause)) return;
  }
  Condition& c = ctx.raise(cond::kRemediationFailed, *a->finishedAt);
  c.evidence["action"] = toString(a->action);
  c.evidence["trigger"] = toString(a->trigger);
  c.evidence["requested_at"] = formatRfc3339(a->requestedAt);
  c.evidence["finished_at"] = formatRfc3339(*a->finishedAt);
  if (!a->outcome.empty()) c.evidence["outcome"] = a->outcome;
  if (!a->reason.empty()) c.evidence["reason"] = remediationReasonText(a->reason);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/remediation_ledger.h"

namespace ibackupmon {

namespace {

ActionResult resultOf(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::Act: return ActionResult::Pending;
    case DecisionKind::DryRun: return ActionResult::DryRun;
    default: return ActionResult::Skipped;
  }
}

}  // namespace

Expected<int> RemediationLedger::recover() {
  last_.clear();
  return repo_.interruptUnfinished(clock_->now());
}

Expected<RemediationHistory> RemediationLedger::history(const std::string& udid,
                                                        RemediationAction action,
                                                        bool* restartInFlight) {
  RemediationHistory h;
  auto last = repo_.lastCounted(udid, action);
  if (!last) return tl::unexpected(last.error());
  h.lastCounted = *last;
  auto count = repo_.countSince(RemediationAction::Restart, clock_->now() - std::chrono::hours(1));
  if (!count) return tl::unexpected(count.error());
  h.hostRestartsLastHour = *count;
  for (auto kind : {RemediationAction::EnableIcloudBackup, RemediationAction::Restart,
                    RemediationAction::LocalBackup}) {
    auto open = repo_.unfinished(kind);
    if (!open) return tl::unexpected(open.error());
    for (const auto& a : *open) {
      if (a.udid == udid) h.deviceActionInFlight = true;
      if (kind == RemediationAction::Restart && restartInFlight != nullptr) {
        *restartInFlight = true;
      }
    }
  }
  return h;
}

Expected<RemediationDecision> RemediationLedger::lastDecision(const Key& key) {
  if (auto it = last_.find(key); it != last_.end()) return it->second;
  auto row = repo_.last(key.first, key.second);
  if (!row) return tl::unexpected(row.error());
  RemediationDecision d;
  if (*row && (*row)->trigger == ActionTrigger::Policy && (*row)->result == ActionResult::Skipped) {
    d = {DecisionKind::Skip, (*row)->reason};
  }
  last_[key] = d;
  return d;
}

Expected<std::int64_t> RemediationLedger::record(const std::string& udid, RemediationAction action,
                                                 ActionTrigger trigger,
                                                 const RemediationDecision& decision,
                                                 const std::string& comment) {
  if (trigger == ActionTrigger::Policy) {
    const Key key{udid, action};
    auto previous = lastDecision(key);
    if (!previous) return tl::unexpected(previous.error());
    last_[key] = decision;
    if (decision.kind == DecisionKind::None) return 0;
    if (decision.kind == DecisionKind::Skip && *previous == decision) return 0;
  } else if (decision.kind == DecisionKind::None) {
    return 0;
  }
  ActionRecord r;
  r.udid = udid;
  r.action = action;
  r.trigger = trigger;
  r.comment = comment;
  r.requestedAt = clock_->now();
  r.result = resultOf(decision.kind);
  r.reason = decision.reason;
  return repo_.request(r);
}

Expected<void> RemediationLedger::started(std::int64_t id) {
  return repo_.markStarted(id, clock_->now());
}

Expected<void> RemediationLedger::finished(std::int64_t id, ActionResult result,
                                           const std::string& reason, const std::string& outcome,
                                           bool done) {
  return repo_.finish(id, result, reason, outcome,
                      done ? std::optional<TimePoint>(clock_->now()) : std::nullopt);
}

}  // namespace ibackupmon

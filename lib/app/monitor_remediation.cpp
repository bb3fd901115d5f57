// SPDX-License-Identifier: Apache-2.0
// Monitor: remediation (docs/remediation.md). Decisions come from the pure decideRemediation();
// this file gathers their facts, writes the audit row, sends the request with the device's next
// probe cycle (so an action never overlaps a probe and runs under the probe timeout) and watches
// what the device does afterwards. Everything here runs on the monitor's strand.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/external_facts.h"
#include "app/monitor.h"
#include "app/monitor_entry.h"
#include "core/duration.h"
#include "core/local_time.h"
#include "core/sanitize.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

constexpr const char* kStaleUnexplained = "stale_unexplained";
// A comment is the admin's own words, kept in the audit trail: one line, bounded.
constexpr std::size_t kMaxComment = 500;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "enable-icloud-backup" (the command line's spelling) or "enable_icloud_backup".
std::optional<RemediationAction> actionFrom(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return remediationActionFromString(name);
}

}  // namespace

void Monitor::startRemediation() {
  if (!ledger_) return;
  if (auto n = ledger_->recover(); !n) {
    spdlog::error("remediation: {}", n.error().message);
  } else if (*n > 0) {
    spdlog::warn(
        "remediation: {} action(s) left unfinished by the last run recorded as interrupted", *n);
  }
  auto paused = deps_.actions->pausedUntil();
  if (!paused) {
    // Unsure whether an admin paused it: do not act until someone says so.
    spdlog::error("remediation: cannot read the pause switch ({}); paused until resume",
                  paused.error().message);
    pausedUntil_ = TimePoint::max();
    return;
  }
  pausedUntil_ = *paused;
  if (remediationPaused(deps_.clock->now())) {
    spdlog::warn("remediation: paused{} (ibackupmonctl remediation resume)",
                 *pausedUntil_ == TimePoint::max() ? "" : " until " + formatRfc3339(*pausedUntil_));
  }
}

bool Monitor::remediationPaused(TimePoint now) const {
  return pausedUntil_ && *pausedUntil_ > now;
}

RemediationHostFacts Monitor::remediationHost(TimePoint now) const {
  RemediationHostFacts h;
  h.now = now;
  h.localMinuteOfDay = localMinuteOfDay(now);
  h.paused = remediationPaused(now);
  h.usbmuxdHealthy = usbmuxdUp_ && !usbmuxdWedgedSince_;
  if (deps_.externalFacts != nullptr) {
    h.appleOutage = !deps_.externalFacts->factsFor(std::nullopt, now).outages.empty();
  }
  for (const auto& [udid, e] : devices_) {
    if (isLeaving(e->state)) continue;
    ++h.fleetSize;
    if (e->history.openConditions.contains(kStaleUnexplained)) ++h.fleetStaleUnexplained;
  }
  h.restartInFlight = restartWatch_.has_value();
  return h;
}

RemediationDeviceFacts Monitor::remediationFacts(Entry& e, TimePoint now) {
  RemediationDeviceFacts d;
  d.udid = e.udid;
  d.attached = e.attached();
  const auto& s = e.latest;
  if (s && s->connected) {
    d.trust = s->trust;
    if (s->backup) d.cloudBackupEnabled = s->backup->cloudBackupEnabled;
    if (s->account) d.icloudSignedIn = s->account->icloudSignedIn;
    if (s->battery) {
      d.batteryLevel = s->battery->level;
      d.onPower = s->battery->externalConnected;
    }
    if (!d.onPower && s->powerSource) d.onPower = s->powerSource->externalConnected;
  }
  if (!e.everSeenLocked) {
    auto seen = deps_.actions->everSeenLocked(e.udid);
    if (!seen) spdlog::error("remediation: {}", seen.error().message);
    e.everSeenLocked = seen ? *seen : true;  // unsure: it may have a passcode
  }
  d.everSeenLocked = *e.everSeenLocked;
  d.everRead = e.history.lastGoodProbe.has_value();
  d.openConditions = e.history.openConditions;
  d.lastBackup =
      countedBackup(e.history.lastCloudBackup, e.history.lastComputerBackup, config_.backup.expect);
  auto acks = deps_.actions->acknowledged(e.udid, now);
  if (!acks) {
    spdlog::error("remediation: {}", acks.error().message);
    d.deviceAcknowledged = true;  // unsure whether an admin said "leave it": leave it
  } else {
    d.deviceAcknowledged = acks->contains("");
    d.acknowledgedConditions = std::move(*acks);
  }
  return d;
}

std::int64_t Monitor::recordDecision(Entry& e, RemediationAction action, ActionTrigger trigger,
                                     const RemediationDecision& decision,
                                     const std::string& comment) {
  auto id = ledger_->record(e.udid, action, trigger, decision, comment);
  if (!id) {
    spdlog::error("remediation: not acting on device {}: the audit trail: {}", e.udid,
                  id.error().message);
    return 0;
  }
  if (*id == 0) return 0;
  if (decision.kind == DecisionKind::Skip) {
    ++actionCounts_[{toString(action), toString(ActionResult::Skipped)}];
    spdlog::info("remediation: {} on device {} held back: {}", toString(action), e.udid,
                 remediationReasonText(decision.reason));
  } else if (decision.kind == DecisionKind::DryRun) {
    ++actionCounts_[{toString(action), toString(ActionResult::DryRun)}];
    spdlog::info("remediation: dry run: would {} on device {} ({})", toString(action), e.udid,
                 toString(trigger));
  }
  publishSoon();
  return *id;
}

void Monitor::considerRemediation(Entry& e) {
  if (e.pendingAction) {  // decided while the device was being probed: goes out now
    e.nextProbe = timers_->now();
    return;
  }
  if (!ledger_ || stopped_ || e.pendingName || !e.attached() || e.actionOut) return;
  const auto& policy = config_.remediation;
  if (!policy.anyActionEnabled()) return;
  const TimePoint now = deps_.clock->now();
  std::vector<RemediationAction> candidates;
  for (auto action : {RemediationAction::EnableIcloudBackup, RemediationAction::Restart}) {
    if (isRemediationCandidate(action, e.history.openConditions, now, policy)) {
      candidates.push_back(action);
    }
  }
  if (candidates.empty()) return;  // most devices on most cycles: nothing to read or record
  const auto facts = remediationFacts(e, now);
  const auto host = remediationHost(now);
  for (auto action : candidates) {
    bool restartOut = false;
    auto past = ledger_->history(e.udid, action, &restartOut);
    if (!past) {
      spdlog::error("remediation: not acting on device {}: {}", e.udid, past.error().message);
      return;
    }
    auto h = host;
    h.restartInFlight = h.restartInFlight || restartOut;
    const auto decision = decideRemediation(action, ActionTrigger::Policy, facts, h, *past, policy,
                                            config_.backup.expect);
    const auto row = recordDecision(e, action, ActionTrigger::Policy, decision, "");
    if (decision.kind == DecisionKind::Act && row > 0) {
      e.pendingAction = ActionRun{action, ActionTrigger::Policy, row, {}};
      e.nextProbe = timers_->now();
      return;  // one action at a time per device
    }
  }
}

void Monitor::sendingAction(Entry& e) {
  e.actionOut = std::move(e.pendingAction);
  e.pendingAction.reset();
  const ActionRun& run = *e.actionOut;
  if (auto ok = ledger_->started(run.row); !ok) {
    spdlog::error("remediation: {}", ok.error().message);
  }
  spdlog::warn("remediation: sending {} to device {} ({})", toString(run.action), e.udid,
               toString(run.trigger));
  if (run.action != RemediationAction::Restart) return;
  restartWatch_ = RestartWatch{e.udid, run.row, false, false, timers_->makeTimer(strand_)};
  arm(*restartWatch_->timer,
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.remediation.restartTimeout),
      [this] { endRestartWatch(ActionResult::Failed, action_outcome::kDidNotComeBack); });
}

void Monitor::settleAction(Entry& e, ActionRun run, const CycleResult& result) {
  if (result.actionError) {
    if (run.action == RemediationAction::Restart) endRestartWatch(ActionResult::Failed, "");
    const auto& err = *result.actionError;
    spdlog::error("remediation: {} on device {} failed: {}: {}", toString(run.action), e.udid,
                  err.code, err.message);
    finishAction(run, e.udid, ActionResult::Failed, err.code, "");
    return;
  }
  if (run.action == RemediationAction::EnableIcloudBackup) {
    const auto& s = result.snapshot;
    const bool on = s && s->backup && s->backup->cloudBackupEnabled == true;
    if (on) turnedOnAt_[e.udid] = deps_.clock->now();
    finishAction(run, e.udid, ActionResult::Done, "",
                 on ? action_outcome::kVerified : action_outcome::kNotVerified);
    return;
  }
  // A restart was sent: the row stays open until the device is back or restart_timeout passes.
  if (auto ok =
          ledger_->finished(run.row, ActionResult::Pending, "", action_outcome::kPending, false);
      !ok) {
    spdlog::error("remediation: {}", ok.error().message);
  }
  spdlog::warn("remediation: device {} is restarting; waiting up to {} for it to come back", e.udid,
               formatDuration(config_.remediation.restartTimeout));
  if (run.reply) {
    run.reply(dump(json{{"ok", true},
                        {"udid", e.udid},
                        {"action", toString(run.action)},
                        {"id", run.row},
                        {"result", "pending"},
                        {"outcome", action_outcome::kPending}}));
  }
}

void Monitor::finishAction(const ActionRun& run, const std::string& udid, ActionResult result,
                           const std::string& reason, const std::string& outcome) {
  if (auto ok = ledger_->finished(run.row, result, reason, outcome); !ok) {
    spdlog::error("remediation: {}", ok.error().message);
  }
  ++actionCounts_[{toString(run.action), toString(result)}];
  if (auto it = devices_.find(udid); it != devices_.end() && result != ActionResult::Skipped) {
    it->second->lastAction.reset();  // read again from the audit trail at the next diagnosis
    rediagnose(*it->second);
  }
  publishSoon();
  if (result == ActionResult::Done && !isFailedOutcome(outcome)) {
    spdlog::info("remediation: {} on device {}: {}", toString(run.action), udid, outcome);
  } else {
    spdlog::error("remediation: {} on device {}: {} {}", toString(run.action), udid,
                  toString(result), reason.empty() ? outcome : remediationReasonText(reason));
  }
  if (!run.reply) return;
  if (result == ActionResult::Done) {
    run.reply(dump(json{{"ok", true},
                        {"udid", udid},
                        {"action", toString(run.action)},
                        {"id", run.row},
                        {"result", toString(result)},
                        {"outcome", outcome}}));
  } else {
    run.reply(controlError(control_code::kFailed,
                           std::string(toString(run.action)) + " on " + udid + ": " +
                               (reason.empty() ? outcome : remediationReasonText(reason))));
  }
}

void Monitor::noteRestartDetach(const std::string& udid) {
  if (restartWatch_ && restartWatch_->udid == udid) restartWatch_->detached = true;
  // An action decided but not sent yet does not follow the device.
  auto it = devices_.find(udid);
  if (it == devices_.end() || !it->second->pendingAction) return;
  auto run = std::move(*it->second->pendingAction);
  it->second->pendingAction.reset();
  finishAction(run, udid, ActionResult::Skipped, "not_attached", "");
}

void Monitor::noteRestartAttach(const std::string& udid) {
  if (restartWatch_ && restartWatch_->udid == udid && restartWatch_->detached) {
    restartWatch_->attachedAgain = true;
    spdlog::info("remediation: device {} is back after its restart", udid);
  }
}

void Monitor::noteRestartCycle(Entry& e) {
  if (!restartWatch_ || restartWatch_->udid != e.udid || !restartWatch_->attachedAgain ||
      !e.latest) {
    return;
  }
  switch (e.latest->trust) {
    case TrustState::Trusted:
      if (deviceAnswered(*e.latest)) {
        endRestartWatch(ActionResult::Done, action_outcome::kCameBack);
      }
      return;
    case TrustState::PasscodeLocked:
      endRestartWatch(ActionResult::Failed, action_outcome::kCameBackLocked);
      return;
    case TrustState::TrustPending:
    case TrustState::TrustDenied:
    case TrustState::NotPaired:
      endRestartWatch(ActionResult::Failed, action_outcome::kCameBackUntrusted);
      return;
    default: return;  // not read yet: the next cycle, or restart_timeout, tells
  }
}

void Monitor::endRestartWatch(ActionResult result, const std::string& outcome) {
  if (!restartWatch_) return;
  RestartWatch w = std::move(*restartWatch_);
  restartWatch_.reset();
  if (w.timer) w.timer->cancel();
  if (outcome.empty()) return;  // the request itself failed: its caller finishes the row
  finishAction(ActionRun{RemediationAction::Restart, ActionTrigger::Policy, w.row, {}}, w.udid,
               result, "", outcome);
  pump();
}

std::optional<TimePoint> Monitor::turnedOnAt(const std::string& udid) {
  if (!ledger_) return std::nullopt;
  auto it = turnedOnAt_.find(udid);
  if (it == turnedOnAt_.end()) {
    auto at = deps_.actions->lastVerifiedEnable(udid);
    if (!at) {
      spdlog::error("remediation: {}", at.error().message);
      return std::nullopt;  // asked again next time
    }
    it = turnedOnAt_.emplace(udid, *at).first;
  }
  return it->second;
}

std::optional<ActionRecord> Monitor::lastAction(Entry& e) {
  if (!ledger_) return std::nullopt;
  if (!e.lastAction) {
    auto last = deps_.actions->lastFinished(e.udid);
    if (!last) {
      spdlog::error("remediation: {}", last.error().message);
      return std::nullopt;
    }
    e.lastAction = *last;
  }
  return *e.lastAction;
}

RemediationView Monitor::remediationView() const {
  RemediationView v;
  const auto& p = config_.remediation;
  v.enableIcloudBackup = ledger_ && p.enableIcloudBackup;
  v.restart = ledger_ && p.restartAfter > Duration::zero();
  v.localBackup = ledger_ && config_.localBackup.enable;
  v.dryRun = p.dryRun;
  v.paused = remediationPaused(deps_.clock->now());
  v.actions = actionCounts_;
  return v;
}

// --- the control commands ---------------------------------------------------------------------

void Monitor::handleControl(ControlRequest request, ControlReply reply) {
  json req = json::parse(request.line, nullptr, false);
  if (!req.is_object()) {
    reply(controlError(control_code::kBadRequest, "request: expected one JSON object"));
    return;
  }
  if (request.command == "act") {
    post([this, req = std::move(req), reply = std::move(reply)]() mutable {
      act(req, std::move(reply));
    });
  } else {
    post([this, req = std::move(req), reply = std::move(reply)]() mutable {
      remediationCommand(req, std::move(reply));
    });
  }
}

void Monitor::act(const json& req, ControlReply reply) {
  const auto udidField = req.find("udid");
  const auto actionField = req.find("action");
  if (udidField == req.end() || !udidField->is_string()) {
    reply(controlError(control_code::kBadArguments, "udid: expected the device's full UDID"));
    return;
  }
  const std::string udid = udidField->get<std::string>();
  const auto action = actionField != req.end() && actionField->is_string()
                          ? actionFrom(actionField->get<std::string>())
                          : std::nullopt;
  // Local backups run by the [local_backup] policy only (docs/local-backup.md).
  if (!action || *action == RemediationAction::LocalBackup) {
    reply(controlError(control_code::kBadArguments,
                       "action: expected enable-icloud-backup or restart"));
    return;
  }
  const bool dryRun = req.value("dry_run", false);
  std::string comment;
  if (auto c = req.find("comment"); c != req.end() && c->is_string()) {
    comment = sanitizeDeviceString(c->get<std::string>(), kMaxComment);
  }
  if (!ledger_) {
    reply(controlError(control_code::kRefused, "remediation is not available in this daemon"));
    return;
  }
  auto it = devices_.find(udid);
  if (it == devices_.end() || isLeaving(it->second->state)) {
    reply(controlError(control_code::kNoSuchDevice,
                       "no device with UDID " + sanitizeDeviceString(udid, 128) +
                           " (give the full UDID, as ibackupmonctl status --json shows it)"));
    return;
  }
  Entry& e = *it->second;
  if (e.pendingAction || e.actionOut) {
    reply(controlError(control_code::kRefused, remediationReasonText("action_in_flight")));
    return;
  }
  if (e.state == LifecycleState::Abandoned) {
    reply(controlError(control_code::kRefused,
                       "the device's last probe has not returned: not acting on a busy device"));
    return;
  }
  const TimePoint now = deps_.clock->now();
  const auto facts = remediationFacts(e, now);
  auto host = remediationHost(now);
  bool restartOut = false;
  auto past = ledger_->history(udid, *action, &restartOut);
  if (!past) {
    reply(controlError(control_code::kFailed, "the audit trail: " + past.error().message));
    return;
  }
  host.restartInFlight = host.restartInFlight || restartOut;
  const auto decision = decideRemediation(*action, ActionTrigger::Manual, facts, host, *past,
                                          config_.remediation, config_.backup.expect, dryRun);
  const auto row = recordDecision(e, *action, ActionTrigger::Manual, decision, comment);
  if (row == 0) {
    reply(controlError(control_code::kFailed,
                       "the audit row could not be written; nothing was sent (see the log)"));
    return;
  }
  switch (decision.kind) {
    case DecisionKind::Skip:
      reply(dump(json{{"ok", false},
                      {"code", control_code::kRefused},
                      {"reason", decision.reason},
                      {"id", row},
                      {"error", remediationReasonText(decision.reason)}}));
      return;
    case DecisionKind::DryRun:
      reply(dump(json{{"ok", true},
                      {"udid", udid},
                      {"action", toString(*action)},
                      {"id", row},
                      {"result", "dry_run"}}));
      return;
    default:
      e.pendingAction = ActionRun{*action, ActionTrigger::Manual, row, std::move(reply)};
      if (!hasWorkerOut(e.state)) e.nextProbe = timers_->now();
      pump();
  }
}

void Monitor::remediationCommand(const json& req, ControlReply reply) {
  const std::string op = req.value("op", std::string());
  const TimePoint now = deps_.clock->now();
  if (op == "pause" || op == "resume") {
    if (!ledger_) {
      reply(controlError(control_code::kRefused, "remediation is not available in this daemon"));
      return;
    }
    Expected<void> saved;
    if (op == "pause") {
      std::optional<TimePoint> until;
      if (auto u = req.find("until"); u != req.end() && u->is_string()) {
        auto t = parseRfc3339(u->get<std::string>());
        if (!t) {
          reply(controlError(control_code::kBadArguments, "until: " + t.error().message));
          return;
        }
        until = *t;
      }
      pausedUntil_ = until.value_or(TimePoint::max());
      saved = deps_.actions->pause(now, until);
      spdlog::warn("remediation: paused{} by ibackupmonctl",
                   until ? " until " + formatRfc3339(*until) : "");
    } else {
      pausedUntil_.reset();
      saved = deps_.actions->resume();
      spdlog::warn("remediation: resumed by ibackupmonctl");
    }
    publishSoon();
    if (!saved) {
      reply(controlError(
          control_code::kFailed,
          op + " holds until the daemon restarts, but was not saved: " + saved.error().message));
      return;
    }
  } else if (op != "status") {
    reply(controlError(control_code::kBadArguments, "op: expected pause, resume or status"));
    return;
  }
  const auto v = remediationView();
  json j{{"ok", true},
         {"paused", v.paused},
         {"dry_run", v.dryRun},
         {"actions", {{"enable_icloud_backup", v.enableIcloudBackup}, {"restart", v.restart}}}};
  j["paused_until"] = v.paused && *pausedUntil_ != TimePoint::max()
                          ? json(formatRfc3339(*pausedUntil_))
                          : json(nullptr);
  j["restart_in_flight"] = restartWatch_ ? json(restartWatch_->udid) : json(nullptr);
  reply(dump(j));
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Between remediation decisions and the actions table: the counts a decision needs
/// (RemediationHistory), and the audit rows a decision leaves. A policy skip is written only when
/// the decision or its reason changed since the last one for that device and action (also across
/// daemon restarts); a dry run is a finished `dry_run` row; an act is a pending row that the caller
/// starts and finishes. Every manual request leaves a row. Runs on the owner's strand.
///
///   RemediationLedger ledger(repo, clock);
///   ledger.recover();                                   // once at start-up
///   auto past = ledger.history(udid, RemediationAction::Restart);
///   auto d = decideRemediation(..., *past, ...);
///   auto id = ledger.record(udid, RemediationAction::Restart, ActionTrigger::Policy, d, "");
///   if (*id) { ledger.started(*id); ... ledger.finished(*id, ActionResult::Done, "", "came_back");
///   }

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/clock.h"
#include "diagnosis/remediation_decision.h"
#include "store/action_repository.h"

namespace ibackupmon {

class RemediationLedger {
 public:
  RemediationLedger(ActionRepository& repo, std::shared_ptr<const Clock> clock)
      : repo_(repo), clock_(std::move(clock)) {}

  /// Marks every unfinished action `interrupted`; returns how many there were.
  Expected<int> recover();
  /// What the actions table says for one decision: the last counted action of this kind on the
  /// device, the host's counted restarts of the last hour, whether this device or (for a restart)
  /// the host has one in flight.
  Expected<RemediationHistory> history(const std::string& udid, RemediationAction action,
                                       bool* restartInFlight = nullptr);
  /// Writes what `decision` leaves in the audit trail. Returns the id of the row an Act or a
  /// manual request created, 0 when nothing was written.
  Expected<std::int64_t> record(const std::string& udid, RemediationAction action,
                                ActionTrigger trigger, const RemediationDecision& decision,
                                const std::string& comment);
  Expected<void> started(std::int64_t id);
  /// `done` false keeps the row unfinished (a restart sent, its device not back yet).
  Expected<void> finished(std::int64_t id, ActionResult result, const std::string& reason,
                          const std::string& outcome, bool done = true);

 private:
  using Key = std::pair<std::string, RemediationAction>;
  /// The last policy decision per device and action; loaded from the table when unknown.
  Expected<RemediationDecision> lastDecision(const Key& key);

  ActionRepository& repo_;
  std::shared_ptr<const Clock> clock_;
  std::map<Key, RemediationDecision> last_;
};

}  // namespace ibackupmon

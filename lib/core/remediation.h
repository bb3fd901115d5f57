// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The vocabulary of remediation: the actions the daemon can take on a device over USB, who asked
/// for them, and how they ended. One recorded action is an ActionRecord (the `actions` table).

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"

namespace ibackupmon {

enum class RemediationAction { EnableIcloudBackup, Restart, LocalBackup };
enum class ActionTrigger { Policy, Manual };
/// Pending = requested or started, not finished yet (NULL result in the table).
enum class ActionResult { Done, Failed, Skipped, DryRun, Interrupted, Pending };

inline constexpr std::array<const char*, 3> kRemediationActionNames{"enable_icloud_backup",
                                                                    "restart", "local_backup"};
inline constexpr std::array<const char*, 2> kActionTriggerNames{"policy", "manual"};
inline constexpr std::array<const char*, 6> kActionResultNames{"done",    "failed",      "skipped",
                                                               "dry_run", "interrupted", "pending"};

/// Outcomes: what the device did after the request.
namespace action_outcome {
inline constexpr const char* kVerified = "verified";
inline constexpr const char* kNotVerified = "not_verified";
inline constexpr const char* kPending = "pending";
inline constexpr const char* kCameBack = "came_back";
inline constexpr const char* kCameBackLocked = "came_back_locked";
inline constexpr const char* kCameBackUntrusted = "came_back_untrusted";
inline constexpr const char* kDidNotComeBack = "did_not_come_back";
}  // namespace action_outcome

struct ActionRecord {
  std::int64_t id = 0;
  std::string udid;
  RemediationAction action = RemediationAction::Restart;
  ActionTrigger trigger = ActionTrigger::Policy;
  std::string comment;
  TimePoint requestedAt{};
  std::optional<TimePoint> startedAt;
  std::optional<TimePoint> finishedAt;
  ActionResult result = ActionResult::Pending;
  std::string reason;   ///< why skipped or failed; a stable id, see remediationReasonText()
  std::string outcome;  ///< action_outcome::*, empty when none
};

const char* toString(RemediationAction a);
const char* toString(ActionTrigger t);
const char* toString(ActionResult r);
std::optional<RemediationAction> remediationActionFromString(const std::string& s);
std::optional<ActionTrigger> actionTriggerFromString(const std::string& s);
std::optional<ActionResult> actionResultFromString(const std::string& s);

/// Whether a recorded action counts toward min_interval, the hourly limit and "once per stale
/// episode": everything that did, would have done (dry run) or may have done something.
bool countsTowardLimits(ActionResult r);
/// Whether a restart outcome leaves the device worse than before (mailed at once).
bool isFailedOutcome(const std::string& outcome);

/// One line for a reason id ("passcode" -> "the device has or may have a passcode ...").
std::string remediationReasonText(const std::string& reason);

}  // namespace ibackupmon

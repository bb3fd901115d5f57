// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The alert policy: a pure function from persisted alert state, what is wrong now and the acks to
/// the next state and the notices to mail. smartd's -M once|daily|diminishing reminders plus a
/// grouping window (Alertmanager's group_wait) so devices that fail together share one email.

#include <optional>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/fleet_observer.h"
#include "store/alert_types.h"

namespace ibackupmon {

/// Condition id of the alert opened when a device's backup is stale.
inline constexpr const char* kBackupStaleCondition = "backup_stale";
/// An action ibackupmond took that failed or left the device worse: a warning (the device's
/// backup may still be fine) that is alerted like a critical condition.
inline constexpr const char* kRemediationFailedCondition = "remediation_failed";

struct AlertPolicy {
  RepeatPolicy repeat = RepeatPolicy::Daily;
  Duration groupWindow = std::chrono::minutes(10);
  bool notifyResolved = true;
  /// Resolved alerts are kept this long (Alertmanager keeps receiving endsAt), then dropped.
  Duration resolvedRetention = std::chrono::minutes(15);

  static AlertPolicy fromConfig(const AlertsConfig& c);
};

/// Something alert-worthy that is true now.
struct ActiveAlert {
  AlertKey key;
  Severity severity = Severity::Warning;
  TimePoint since{};
};

/// Alerts the fleet calls for: a stale backup, and every critical condition.
std::vector<ActiveAlert> activeAlertsOf(const FleetView& view);

enum class NoticeKind { Opened, Reminder, Resolved };

struct Notice {
  NoticeKind kind = NoticeKind::Opened;
  AlertKey key;
  Severity severity = Severity::Warning;
  TimePoint openedAt{};
};

struct Decision {
  std::vector<AlertRecord> records;    ///< the complete new state (replaces the old)
  std::vector<AlertKey> dropped;       ///< records to delete
  std::vector<Notice> notices;         ///< empty = no email; else ONE email listing all of them
  std::vector<AlertKey> acknowledged;  ///< active but acknowledged: shown in the email digest
  std::optional<TimePoint> wakeAt;     ///< when decide() has something to do next without change
};

/// Reminder interval after the n-th announcement (n >= 1); nullopt = no more reminders.
std::optional<Duration> reminderInterval(RepeatPolicy repeat, int notifications);

Decision decide(const std::vector<AlertRecord>& state, const std::vector<ActiveAlert>& active,
                const std::vector<AlertAck>& acks, const AlertPolicy& policy, TimePoint now);

const char* toString(NoticeKind k);

}  // namespace ibackupmon

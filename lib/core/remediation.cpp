// SPDX-License-Identifier: Apache-2.0
#include "core/remediation.h"

#include <map>

#include "core/enum_names.h"

namespace ibackupmon {

const char* toString(RemediationAction a) {
  return enumName(kRemediationActionNames, a, "restart");
}
const char* toString(ActionTrigger t) {
  return enumName(kActionTriggerNames, t, "policy");
}
const char* toString(ActionResult r) {
  return enumName(kActionResultNames, r, "pending");
}
std::optional<RemediationAction> remediationActionFromString(const std::string& s) {
  return enumFromName<RemediationAction>(kRemediationActionNames, s);
}
std::optional<ActionTrigger> actionTriggerFromString(const std::string& s) {
  return enumFromName<ActionTrigger>(kActionTriggerNames, s);
}
std::optional<ActionResult> actionResultFromString(const std::string& s) {
  return enumFromName<ActionResult>(kActionResultNames, s);
}

bool countsTowardLimits(ActionResult r) {
  return r != ActionResult::Skipped;
}

bool isFailedOutcome(const std::string& outcome) {
  return outcome == action_outcome::kCameBackLocked ||
         outcome == action_outcome::kCameBackUntrusted ||
         outcome == action_outcome::kDidNotComeBack || outcome == action_outcome::kNotVerified;
}

std::string remediationReasonText(const std::string& reason) {
  static const std::map<std::string, std::string> kText = {
      {"disabled", "this action is off in [remediation]"},
      {"paused", "remediation is paused (ibackupmonctl remediation resume)"},
      {"not_targeted", "the device is not in remediation.udids"},
      {"excluded", "the device is in remediation.exclude_udids"},
      {"acknowledged", "the device or its condition is acknowledged"},
      {"expect_not_icloud", "[backup] expect is not \"icloud\""},
      {"already_on", "iCloud Backup is already on"},
      {"no_account_evidence", "no positive evidence of an iCloud account on the device"},
      {"turned_off_again",
       "iCloud Backup was turned off again after ibackupmond turned it on; not fighting it"},
      {"not_stale_unexplained", "the backup is not stale with no visible cause"},
      {"restarted_this_episode", "already restarted once since the last backup"},
      {"min_interval", "acted on this device too recently (remediation.min_interval)"},
      {"apple_outage", "Apple's status shows an outage for a watched service"},
      {"usbmuxd_down", "usbmuxd is down or not answering"},
      {"fleet_wide", "too many devices share the problem (remediation.max_fleet_fraction)"},
      {"off_power", "the device is not on power (or its power state is unknown)"},
      {"battery_low", "the battery is below 30 % (or its level is unknown)"},
      {"outside_window", "outside remediation.window"},
      {"passcode", "the device has or may have a passcode (seen locked, or never read)"},
      {"locked", "the device is locked: unlock it once"},
      {"untrusted", "the device does not trust this host"},
      {"not_attached", "the device is not attached"},
      {"rate_limit", "remediation.max_restarts_per_hour reached"},
      {"restart_in_flight", "another restart on this host has not come back yet"},
      {"action_in_flight", "an action on this device is still running"},
      {"device_error", "the device refused the request"},
      {"timeout", "it took longer than allowed (probe.timeout, local_backup.timeout)"},
      {"daemon_stopped", "ibackupmond stopped before it ended"},
      {"setup_not_finished", "the device's setup is not finished (error 212)"},
      {"icloud_restore_running", "the device is restoring from iCloud (error 25)"},
      {"detached", "the device was unplugged during the backup"},
      {"killed", "idevicebackup2 was killed by a signal"},
      {"spawn_failed", "idevicebackup2 could not be started"},
      {"backup_failed", "idevicebackup2 failed (see the daemon's log for its last line)"},
      {"directory", "local_backup.directory cannot be prepared or the last backup kept aside"},
      {"outside_local_backup_window", "outside local_backup.window"},
      {"unpaired",
       "the device has no pair record for this host; a backup would pair it and show the Trust "
       "dialog"},
      {"trust_unknown", "the latest probe could not tell whether the device trusts this host"},
      {"battery_hot", "the battery is hot (battery_hot is open)"},
      {"battery_below_minimum",
       "the battery is below local_backup.min_battery (or its level is unknown)"},
      {"passcode_not_entered",
       "a local backup since this attach ended waiting for the passcode on the device (208); "
       "attach it again to retry"},
      {"needs_passcode",
       "seen locked on iOS 16.1 or later: a computer backup asks for the passcode on the device "
       "(local_backup.try_passcode_devices tries once per attach)"},
      {"encryption_required",
       "the device requires encrypted backups but backup encryption is off; ibackupmond never "
       "sets a backup password"},
      {"max_concurrent", "local_backup.max_concurrent backups are already running on this host"},
      {"disk_space",
       "the backup plus local_backup.min_free_space does not fit in the free space (or a size is "
       "unknown)"},
      {"max_total_size",
       "the backups would grow past local_backup.max_total_size (or their total is unknown)"},
  };
  const auto it = kText.find(reason);
  return it != kText.end() ? it->second : reason;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/condition_catalog.h"

#include "core/backup_steps.h"

namespace ibackupmon {
namespace {

// Apple's checklist for iCloud backups (core/backup_steps.h), in the order admins try it.
const std::string& step(std::size_t n) {
  return icloudBackupSteps().at(n - 1);
}
const std::string kFixIcloudOn = step(1);
const std::string kFixWifi = step(2);
const std::string kFixPower = step(3);
const std::string kFixStorage = step(4);
const std::string kFixStatus = step(5);
const std::string kFixSignIn = step(6);
const std::string kFixRestart = step(7);
const std::string kFixReset = step(8);
const std::string kFixUpdate = step(9);

const char* const kFixHostJob =
    "Check that the host's backup job (e.g. idevicebackup2 backup) runs for this device, and read "
    "its log.";
const char* const kFixHostSpace = "Make sure the backup destination on the host has free space.";
const char* const kFixUnlockTrust = "Unlock the device and trust this host so it can be backed up.";

std::vector<ConditionDef> buildCatalog() {
  using S = Severity;
  using C = Confidence;
  return {
      {"backup_stale",
       S::Warning,
       C::Observed,
       "No backup within backup.stale_after",
       {kFixIcloudOn, kFixWifi, kFixPower, kFixStorage, kFixStatus, kFixSignIn, kFixRestart,
        kFixReset, kFixUpdate},
       {kFixHostJob, kFixHostSpace, kFixUnlockTrust, kFixRestart}},
      {"never_backed_up",
       S::Info,
       C::Observed,
       "Never backed up yet",
       {"Nothing to do on day one: leave the device on Wi-Fi and power with its screen locked so "
        "its first iCloud backup can run. If none comes within backup.stale_after, backup_stale "
        "opens with the steps to take."},
       {"Run the host's backup job for this device once (e.g. idevicebackup2 -u UDID backup "
        "DIR); if none comes within backup.stale_after, backup_stale opens."}},
      {"stale_unexplained",
       S::Warning,
       C::Inferred,
       "Backup stale and nothing visible over USB explains it",
       {kFixStorage, kFixStatus, kFixSignIn, kFixWifi, kFixRestart, kFixReset, kFixUpdate},
       {kFixHostJob, kFixHostSpace, kFixRestart}},
      {"icloud_backup_disabled",
       S::Warning,
       C::Observed,
       "iCloud Backup is turned off",
       {kFixIcloudOn},
       {}},
      {"icloud_backup_turned_off_again",
       S::Warning,
       C::Observed,
       "iCloud Backup was turned off again after ibackupmond turned it on",
       {"Check the device-management (MDM) restriction or profile that turns iCloud Backup off, or "
        "ask the device's user: ibackupmond does not turn it on again while this is open."},
       {}},
      {"remediation_failed",
       S::Warning,
       C::Observed,
       "An action ibackupmond took on this device failed or left it worse",
       {"Read the evidence (or ibackupmonctl history UDID): which action, when, how it ended.",
        "did_not_come_back: find the device and check it is on power and has booted; "
        "came_back_locked: unlock it once with its passcode; came_back_untrusted: unlock it and "
        "tap Trust.",
        "If it keeps failing, leave the device out of the policy (remediation.exclude_udids) and "
        "apply the fix by hand."},
       {}},
      {"local_backup_failing",
       S::Warning,
       C::Observed,
       "The local safety-net backup to this host failed twice in a row",
       {"Read the reason (ibackupmonctl backups UDID): passcode_not_entered: unlock the device and "
        "type its passcode when it asks during the backup; disk_space: free space in "
        "[local_backup] directory; encryption_required: the device requires encrypted backups "
        "and no password is set; detached or timeout: check the cable and the device's slot.",
        "Until it works the device's data is only as safe as its last iCloud backup."},
       {}},
      {"encryption_password_missing",
       S::Warning,
       C::Observed,
       "Encrypted computer backups required but no backup password set",
       {"Set a local backup password from the backup host (e.g. idevicebackup2 -u UDID encryption "
        "on PASSWORD, or Finder's \"Encrypt local backup\"): device management requires encrypted "
        "computer backups and refuses unencrypted ones."},
       {}},
      {"backup_date_in_future",
       S::Warning,
       C::Observed,
       "The device reports a backup date in the future (impossible)",
       {"Check the device's date & time settings (Settings > General > Date & Time > Set "
        "Automatically), then wait for its next backup.",
        kFixRestart},
       {}},
      {"not_on_power", S::Warning, C::Observed, "Not connected to external power", {kFixPower}, {}},
      {"battery_low",
       S::Warning,
       C::Observed,
       "Battery low and not charging",
       {kFixPower, "If it is plugged in but not charging, try another cable, port or powered hub."},
       {}},
      {"battery_worn",
       S::Warning,
       C::Inferred,
       "Battery worn (estimated health below thresholds.battery_health)",
       {"Plan a battery replacement for this device; until then keep it out of warm spots and off "
        "round-the-clock charge where the workflow allows (Optimised Charging or the 80 % limit "
        "on)."},
       {}},
      {"battery_hot",
       S::Warning,
       C::Observed,
       "Battery hot on two probes in a row",
       {"Move the device out of direct sun and away from other warm devices, and give the cart "
        "airflow (door open, fan).",
        "Remove a thick case while it charges; if it stays hot at rest, check the battery for "
        "swelling and replace it."},
       {}},
      {"not_charging_on_power",
       S::Warning,
       C::Observed,
       "On external power but not charging, on two probes in a row",
       {"Reseat or replace the cable at both ends (a worn Lightning/USB-C cable often still "
        "connects but no longer charges).",
        "Try another port on the hub or cart.",
        "Check the hub's power: a bus-powered or overloaded hub cannot charge every device; use a "
        "powered hub or fewer devices per hub."},
       {}},
      {"passcode_locked",
       S::Warning,
       C::Observed,
       "Locked with a passcode since plug-in or restart: values cannot be read",
       {"Unlock the device once with its passcode (needed after every plug-in or restart)."},
       {}},
      {"trust_pending",
       S::Warning,
       C::Observed,
       "Waiting for \"Trust This Computer?\" on the device",
       {"Unlock the device and tap Trust in the \"Trust This Computer?\" dialog."},
       {}},
      {"trust_denied",
       S::Warning,
       C::Observed,
       "Trust was refused on the device",
       {"Unplug and replug the device, unlock it and tap Trust (Don't Trust was tapped).",
        "If the dialog no longer appears: Settings > General > Transfer or Reset > Reset > Reset "
        "Location & Privacy, then replug."},
       {}},
      {"not_paired",
       S::Warning,
       C::Observed,
       "This host is not paired with the device",
       {"Pair the host: run idevicepair -u UDID pair, then unlock the device and tap Trust."},
       {}},
      {"values_prohibited",
       S::Warning,
       C::Observed,
       "The device refuses to share some values (unknown, not healthy)",
       {"Check the device-management profile: a restriction can forbid reading these values.",
        kFixRestart},
       {}},
      {"device_values_invalid",
       S::Warning,
       C::Observed,
       "The device sends values that cannot be used (those values are unknown, not healthy)",
       {kFixRestart, kFixUpdate,
        "If it persists, check the device: a faulty, modified or non-Apple device can send "
        "garbage (the evidence names each key and what was sent)."},
       {}},
      {"probe_failing",
       S::Warning,
       C::Observed,
       "The device is attached but cannot be read",
       {"Replug the device or move it to another USB port or powered hub (xHCI controllers stop "
        "near 32 devices).",
        kFixRestart, "Check that usbmuxd is running and not wedged (restart it if needed)."},
       {}},
      {"device_missing",
       S::Warning,
       C::Observed,
       "Known device not attached for too long",
       {"Find the device and reattach it to this host (check the slot and cable), or run "
        "ibackupmonctl forget UDID if it has left the fleet."},
       {}},
      {"device_storage_low",
       S::Warning,
       C::Observed,
       "Little free storage on the device",
       {"Free storage on the device (Settings > General > iPhone Storage): remove unused apps and "
        "media."},
       {}},
      {"ios_outdated",
       S::Warning,
       C::Observed,
       "iOS older than the target version",
       {kFixUpdate},
       {}},
      {"clock_skew",
       S::Warning,
       C::Observed,
       "Device clock is wrong",
       {"Turn on Settings > General > Date & Time > Set Automatically: a wrong clock breaks secure "
        "connections to iCloud.",
        kFixRestart},
       {}},
      {"icloud_signed_out",
       S::Warning,
       C::Inferred,
       "Probably not signed in to iCloud",
       {"Sign in to iCloud (Settings > Sign in to your iPhone), then turn on iCloud Backup.",
        kFixSignIn},
       {}},
      {"wifi_disconnected",
       S::Warning,
       C::Observed,
       "Not joined to a Wi-Fi network",
       {kFixWifi},
       {}},
      {"usb_link_degraded",
       S::Warning,
       C::Observed,
       "USB link below high speed",
       {"Reseat the cable at both ends, or replace it: a worn cable often falls back to 12 Mbit/s.",
        "Try another port, or a powered hub: a weak port or an overloaded hub renegotiates "
        "slower."},
       {}},
      {"apple_service_outage",
       S::Info,
       C::Observed,
       "Apple reports an iCloud service problem",
       {"Nothing to change on the device: wait for Apple to resolve it "
        "(https://www.apple.com/support/systemstatus/). Alerts are not silenced meanwhile."},
       {}},
  };
}

}  // namespace

const std::vector<ConditionDef>& conditionCatalog() {
  // Immutable data built once; not a mutable singleton.
  static const std::vector<ConditionDef> kCatalog = buildCatalog();
  return kCatalog;
}

const ConditionDef* findConditionDef(std::string_view id) {
  for (const auto& def : conditionCatalog()) {
    if (def.id == id) return &def;
  }
  return nullptr;
}

std::string formatFixSteps(const std::vector<std::string>& steps) {
  if (steps.size() == 1) return steps.front();
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i > 0) out += '\n';
    out += std::to_string(i + 1) + ". " + steps[i];
  }
  return out;
}

}  // namespace ibackupmon

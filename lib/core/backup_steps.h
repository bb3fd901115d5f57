// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Apple's checklist for iCloud backups, in the order admins try it: backup_stale's fix, and the
/// generic steps an alert email states once.

#include <string>
#include <vector>

namespace ibackupmon {

/// The nine steps; step n is element n - 1.
inline const std::vector<std::string>& icloudBackupSteps() {
  static const std::vector<std::string> kSteps = {
      "Turn on iCloud Backup (Settings > [name] > iCloud > iCloud Backup).",
      "Join Wi-Fi, and keep the device in range of the access point.",
      "Connect to power with a working cable (charging symbol visible).",
      "Free iCloud storage (delete old app backups in Manage Storage) or upgrade the plan.",
      "Check Apple's System Status page for an \"iCloud Backup\" outage.",
      "Sign out of iCloud and back in (fixes verification problems).",
      "Restart the device.",
      "Reset all settings (Settings > General > Reset; keeps data, loses Wi-Fi passwords).",
      "Update iOS (Settings > General > Software Update).",
  };
  return kSteps;
}

}  // namespace ibackupmon

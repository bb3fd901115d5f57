// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one table of condition definitions: id, severity, confidence, title and fix steps.
/// docs/conditions.md mirrors it (a unit test checks); metrics export every id of it.

#include <string>
#include <string_view>
#include <vector>

#include "core/condition.h"

namespace ibackupmon {

/// Stable condition ids; use these constants rather than string literals.
namespace cond {
inline constexpr std::string_view kBackupStale = "backup_stale";
inline constexpr std::string_view kStaleUnexplained = "stale_unexplained";
inline constexpr std::string_view kIcloudBackupDisabled = "icloud_backup_disabled";
inline constexpr std::string_view kIcloudBackupTurnedOffAgain = "icloud_backup_turned_off_again";
inline constexpr std::string_view kRemediationFailed = "remediation_failed";
inline constexpr std::string_view kLocalBackupFailing = "local_backup_failing";
inline constexpr std::string_view kEncryptionPasswordMissing = "encryption_password_missing";
inline constexpr std::string_view kBackupDateInFuture = "backup_date_in_future";
inline constexpr std::string_view kNotOnPower = "not_on_power";
inline constexpr std::string_view kBatteryLow = "battery_low";
inline constexpr std::string_view kBatteryWorn = "battery_worn";
inline constexpr std::string_view kBatteryHot = "battery_hot";
inline constexpr std::string_view kNotChargingOnPower = "not_charging_on_power";
inline constexpr std::string_view kNeverBackedUp = "never_backed_up";
inline constexpr std::string_view kPasscodeLocked = "passcode_locked";
inline constexpr std::string_view kTrustPending = "trust_pending";
inline constexpr std::string_view kTrustDenied = "trust_denied";
inline constexpr std::string_view kNotPaired = "not_paired";
inline constexpr std::string_view kValuesProhibited = "values_prohibited";
inline constexpr std::string_view kDeviceValuesInvalid = "device_values_invalid";
inline constexpr std::string_view kProbeFailing = "probe_failing";
inline constexpr std::string_view kDeviceMissing = "device_missing";
inline constexpr std::string_view kDeviceStorageLow = "device_storage_low";
inline constexpr std::string_view kIosOutdated = "ios_outdated";
inline constexpr std::string_view kClockSkew = "clock_skew";
inline constexpr std::string_view kIcloudSignedOut = "icloud_signed_out";
inline constexpr std::string_view kWifiDisconnected = "wifi_disconnected";
inline constexpr std::string_view kAppleServiceOutage = "apple_service_outage";
inline constexpr std::string_view kUsbLinkDegraded = "usb_link_degraded";
}  // namespace cond

struct ConditionDef {
  std::string id;
  Severity severity;  ///< fixed per id; only backup_stale escalates to critical
  Confidence confidence;
  std::string title;
  std::vector<std::string> fixSteps;  ///< in the order an admin should try them
  /// Used instead of fixSteps when only computer backups count ([backup] expect = "computer").
  std::vector<std::string> computerFixSteps;
};

/// Every condition diagnosis can raise, in a stable order (the tie-break when sorting).
const std::vector<ConditionDef>& conditionCatalog();

/// The definition of id; nullptr when unknown.
const ConditionDef* findConditionDef(std::string_view id);

/// Fix steps as text: one step as is, several as "1. ...\n2. ...".
std::string formatFixSteps(const std::vector<std::string>& steps);

}  // namespace ibackupmon

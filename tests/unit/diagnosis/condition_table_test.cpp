// SPDX-License-Identifier: Apache-2.0
// Table-driven: each fixture edit of a healthy device raises exactly the listed condition ids.
#include <functional>
#include <set>

#include <gtest/gtest.h>

#include "diagnosis/condition_catalog.h"
#include "fixtures.h"

namespace ibackupmon::testing {
namespace {

using Edit = std::function<void(DiagnosisInput&, DiagnosisConfig&)>;

struct Case {
  const char* name;
  Edit edit;
  std::set<std::string> ids;
};

void probe(DiagnosisInput& in, const char* name, ProbeStatus st, const char* error) {
  in.snapshot->probes.push_back(ProbeOutcome{name, st, error, "", 0.01});
}

void battery(DiagnosisInput& in, int level, std::optional<bool> external,
             std::optional<bool> charging) {
  in.snapshot->battery->level = level;
  in.snapshot->battery->externalConnected = external;
  in.snapshot->battery->charging = charging;
}

/// The battery's IORegistry reading, in the latest probe and in history's copy of it.
void powerSource(DiagnosisInput& in, std::optional<double> health, std::optional<double> celsius) {
  PowerSourceInfo p;
  p.designCapacityMah = 3000;
  if (health) {
    p.maxCapacityMah = static_cast<std::int64_t>(*health * 3000);
    p.maxCapacityKey = "AppleRawMaxCapacity";
    p.healthRatio = *health;
  }
  p.temperatureCelsius = celsius;
  in.snapshot->powerSource = p;
  in.history.lastSnapshot = *in.snapshot;
}

/// The probe before the latest one read what the latest did, five minutes earlier; `edit`
/// changes that earlier reading.
void twoProbes(DiagnosisInput& in, const std::function<void(DeviceSnapshot&)>& edit = {}) {
  in.history.lastSnapshot = *in.snapshot;
  DeviceSnapshot before = *in.snapshot;
  before.takenAt -= minutes(5);
  if (edit) edit(before);
  in.history.previousSnapshot = before;
}

/// An action ibackupmond took that failed at `at` with `outcome` (empty: the device refused it).
ActionRecord failedAction(RemediationAction action, TimePoint at, const std::string& outcome) {
  ActionRecord a;
  a.action = action;
  a.requestedAt = at - std::chrono::seconds(3);
  a.finishedAt = at;
  a.result = ActionResult::Failed;
  a.outcome = outcome;
  if (outcome.empty()) a.reason = "device_error";
  return a;
}

/// On power, not charging, not full, at `level`, on two probes in a row.
void stuckOnPower(DiagnosisInput& in, int level) {
  battery(in, level, true, false);
  in.snapshot->battery->fullyCharged = false;
  twoProbes(in);
}

/// Never backed up, first seen an hour ago.
void newDevice(DiagnosisInput& in) {
  setLastCloudBackup(in, std::nullopt);
  in.history.firstSeen = in.snapshot->takenAt - hours(1);
}

void computerOnly(DiagnosisInput& in, DiagnosisConfig& c) {
  c.expect = BackupExpect::Computer;
  setLastComputerBackup(in, fixtureNow() - hours(2));
  setCloudEnabled(in, false);  // iOS clears it when backups go to a computer
}

/// First sight of a device whose first probe cycle failed (a hung lockdownd): nothing known.
void neverRead(DiagnosisInput& in) {
  makeUnreadable(in, TrustState::Unknown);
  in.snapshot->probes = {ProbeOutcome{"trust", ProbeStatus::Error, "timeout", "no answer", 3.0}};
  in.history.lastCloudBackup.reset();
  in.history.lastSnapshot.reset();
  in.history.lastGoodProbe.reset();
  in.history.firstSeen = in.snapshot->takenAt;
  in.history.consecutiveProbeFailures = 1;
  in.history.probeFailingSince = in.snapshot->takenAt;
}

void detach(DiagnosisInput& in, TimePoint lastSeen) {
  in.history.connected = false;
  in.history.lastSeen = lastSeen;
  in.snapshot->connected = false;
  in.snapshot->takenAt = lastSeen;
  in.history.lastSnapshot->takenAt = lastSeen;
}

std::vector<Case> cases() {
  const TimePoint now = fixtureNow();
  return {
      {"healthy", [](auto&, auto&) {}, {}},
      {"cloud_off",
       [](auto& in, auto&) { setCloudEnabled(in, false); },
       {"icloud_backup_disabled"}},
      {"cloud_off_after_ibackupmond_turned_it_on",
       [=](auto& in, auto&) {
         setCloudEnabled(in, false);
         in.icloudBackupTurnedOnAt = now - hours(1);
       },
       {"icloud_backup_disabled", "icloud_backup_turned_off_again"}},
      {"restart_did_not_come_back",
       [=](auto& in, auto&) {
         in.lastAction = failedAction(RemediationAction::Restart, now - minutes(10),
                                      action_outcome::kDidNotComeBack);
         in.history.lastGoodProbe = now - hours(1);
       },
       {"remediation_failed"}},
      {"restart_came_back_locked_read_since",
       [=](auto& in, auto&) {
         in.lastAction = failedAction(RemediationAction::Restart, now - minutes(10),
                                      action_outcome::kCameBackLocked);
         in.history.lastGoodProbe = now;
       },
       {}},
      {"enable_refused_while_the_switch_is_off",
       [=](auto& in, auto&) {
         setCloudEnabled(in, false);
         in.history.openConditions["icloud_backup_disabled"] = now - hours(1);
         in.lastAction = failedAction(RemediationAction::EnableIcloudBackup, now - minutes(5), "");
       },
       {"icloud_backup_disabled", "remediation_failed"}},
      {"enable_refused_the_switch_on_since",
       [=](auto& in, auto&) {
         in.lastAction = failedAction(RemediationAction::EnableIcloudBackup, now - minutes(5), "");
       },
       {}},
      {"cloud_absent_is_unknown", [](auto& in, auto&) { setCloudEnabled(in, std::nullopt); }, {}},
      {"cloud_off_expect_computer", [](auto& in, auto& c) { computerOnly(in, c); }, {}},
      {"cloud_off_expect_either_computer_fresh",
       [=](auto& in, auto& c) {
         c.expect = BackupExpect::Either;
         setCloudEnabled(in, false);
         setLastComputerBackup(in, now - hours(3));
       },
       {}},
      {"cloud_off_expect_either_no_computer",
       [](auto& in, auto& c) {
         c.expect = BackupExpect::Either;
         setCloudEnabled(in, false);
       },
       {"icloud_backup_disabled"}},
      {"not_on_power", [](auto& in, auto&) { battery(in, 80, false, false); }, {"not_on_power"}},
      {"low_on_battery",
       [](auto& in, auto&) { battery(in, 10, false, false); },
       {"not_on_power", "battery_low"}},
      {"low_but_charging", [](auto& in, auto&) { battery(in, 10, true, true); }, {}},
      {"low_plugged_not_charging",
       [](auto& in, auto&) { battery(in, 10, true, false); },
       {"battery_low"}},
      {"level_at_threshold", [](auto& in, auto&) { battery(in, 20, true, false); }, {}},
      {"power_unknown_not_raised",
       [](auto& in, auto&) { battery(in, 80, std::nullopt, false); },
       {}},
      {"battery_worn", [](auto& in, auto&) { powerSource(in, 0.75, 30.0); }, {"battery_worn"}},
      {"battery_health_at_threshold", [](auto& in, auto&) { powerSource(in, 0.80, 30.0); }, {}},
      {"battery_health_unknown", [](auto& in, auto&) { powerSource(in, std::nullopt, 30.0); }, {}},
      {"battery_worn_threshold_lowered",
       [](auto& in, auto& c) {
         powerSource(in, 0.75, 30.0);
         c.batteryHealth = 70;
       },
       {}},
      {"battery_worn_while_detached",
       [=](auto& in, auto&) {
         powerSource(in, 0.5, std::nullopt);
         detach(in, now - hours(1));
       },
       {"battery_worn"}},
      {"battery_hot_two_probes",
       [](auto& in, auto&) {
         powerSource(in, 0.9, 41.5);
         twoProbes(in);
       },
       {"battery_hot"}},
      {"battery_hot_at_threshold",
       [](auto& in, auto&) {
         powerSource(in, 0.9, 40.0);
         twoProbes(in);
       },
       {"battery_hot"}},
      {"battery_hot_threshold_raised",
       [](auto& in, auto& c) {
         powerSource(in, 0.9, 41.5);
         twoProbes(in);
         c.batteryTemperature = 45;
       },
       {}},
      {"battery_hot_one_probe",
       [](auto& in, auto&) {
         powerSource(in, 0.9, 41.5);
         twoProbes(in, [](DeviceSnapshot& s) { s.powerSource->temperatureCelsius = 35.0; });
       },
       {}},
      {"battery_hot_first_probe", [](auto& in, auto&) { powerSource(in, 0.9, 45.0); }, {}},
      {"not_charging_on_power",
       [](auto& in, auto&) { stuckOnPower(in, 45); },
       {"not_charging_on_power"}},
      {"not_charging_on_power_at_69",
       [](auto& in, auto&) { stuckOnPower(in, 69); },
       {"not_charging_on_power"}},
      {"held_at_80_on_power", [](auto& in, auto&) { stuckOnPower(in, 80); }, {}},
      {"held_at_70_on_power", [](auto& in, auto&) { stuckOnPower(in, 70); }, {}},
      {"not_charging_one_probe",
       [](auto& in, auto&) {
         battery(in, 45, true, false);
         twoProbes(in, [](DeviceSnapshot& s) { s.battery->charging = true; });
       },
       {}},
      {"not_charging_first_probe", [](auto& in, auto&) { battery(in, 45, true, false); }, {}},
      {"not_charging_but_full",
       [](auto& in, auto&) {
         battery(in, 45, true, false);
         in.snapshot->battery->fullyCharged = true;
         twoProbes(in);
       },
       {}},
      {"battery_domain_wins_over_ioregistry",
       [](auto& in, auto&) {
         battery(in, 45, true, true);  // the domain says charging
         powerSource(in, 0.9, 30.0);
         in.snapshot->powerSource->charging = false;  // the entry says not
         twoProbes(in);
       },
       {}},
      {"ioregistry_fills_what_the_domain_lacks",
       [](auto& in, auto&) {
         battery(in, 45, true, std::nullopt);
         powerSource(in, 0.9, 30.0);
         in.snapshot->powerSource->charging = false;
         twoProbes(in);
       },
       {"not_charging_on_power"}},
      {"ioregistry_alone_says_not_on_power",
       [](auto& in, auto&) {
         in.snapshot->battery.reset();
         powerSource(in, 0.9, 30.0);
         in.snapshot->powerSource->externalConnected = false;
       },
       {"not_on_power"}},
      {"never_backed_up_icloud_on", [](auto& in, auto&) { newDevice(in); }, {"never_backed_up"}},
      {"never_backed_up_not_while_icloud_off",
       [](auto& in, auto&) {
         newDevice(in);
         setCloudEnabled(in, false);
       },
       {"icloud_backup_disabled"}},
      {"never_backed_up_icloud_unknown",
       [](auto& in, auto&) {
         newDevice(in);
         setCloudEnabled(in, std::nullopt);
       },
       {}},
      {"never_backed_up_expect_computer",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         setLastComputerBackup(in, std::nullopt);
         in.history.firstSeen = in.snapshot->takenAt - hours(1);
       },
       {"never_backed_up"}},
      {"never_backed_up_expect_either_with_computer_backup",
       [=](auto& in, auto& c) {
         newDevice(in);
         c.expect = BackupExpect::Either;
         setLastComputerBackup(in, now - hours(3));
       },
       {}},
      {"no_battery_device",
       [](auto& in, auto&) {
         battery(in, 0, false, false);
         in.snapshot->battery->hasBattery = false;
       },
       {}},
      {"usb_full_speed",
       [](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2.3", "", "Cart A / 07", 12.0};
       },
       {"usb_link_degraded"}},
      {"usb_low_speed_no_label",
       [](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2", "", std::nullopt, 1.5};
       },
       {"usb_link_degraded"}},
      {"usb_high_speed",
       [](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2", "", "A", 480.0};
       },
       {}},
      {"usb_super_speed",
       [](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2", "", "A", 5000.0};
       },
       {}},
      {"usb_speed_unknown_not_raised",
       [](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2", "", "A", std::nullopt};
       },
       {}},
      {"usb_slow_but_detached",
       [=](auto& in, auto&) {
         in.slot = DeviceSlot{"1-2", "", "A", 12.0};
         detach(in, now - hours(1));
       },
       {}},
      {"storage_low",
       [](auto& in, auto&) { in.snapshot->storage->totalDataAvailable = 1ull << 30; },
       {"device_storage_low"}},
      {"storage_low_amount_key",
       [](auto& in, auto&) {
         in.snapshot->storage->totalDataAvailable.reset();
         in.snapshot->storage->amountDataAvailable = 1ull << 29;
       },
       {"device_storage_low"}},
      {"encryption_expect_icloud",
       [](auto& in, auto&) { in.snapshot->backup->requiresEncryption = true; },
       {}},
      {"encryption_expect_computer",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         in.snapshot->backup->requiresEncryption = true;
       },
       {"encryption_password_missing"}},
      {"encryption_with_password",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         in.snapshot->backup->requiresEncryption = true;
         in.snapshot->backup->willEncrypt = true;
       },
       {}},
      {"backup_date_in_future",
       [](auto& in, auto&) {
         in.snapshot->backup->futureCloudBackup = in.snapshot->takenAt + days(365 * 50);
       },
       {"backup_date_in_future"}},
      {"passcode_locked",
       [](auto& in, auto&) { makeUnreadable(in, TrustState::PasscodeLocked); },
       {"passcode_locked"}},
      {"trust_pending",
       [](auto& in, auto&) { makeUnreadable(in, TrustState::TrustPending); },
       {"trust_pending"}},
      {"trust_denied",
       [](auto& in, auto&) { makeUnreadable(in, TrustState::TrustDenied); },
       {"trust_denied"}},
      {"not_paired",
       [](auto& in, auto&) { makeUnreadable(in, TrustState::NotPaired); },
       {"not_paired"}},
      {"prohibited",
       [](auto& in, auto&) { probe(in, "account", ProbeStatus::NoData, "get_prohibited"); },
       {"values_prohibited"}},
      {"values_invalid",
       [](auto& in, auto&) {
         ProbeOutcome o{"battery", ProbeStatus::Ok, "", "", 0.01};
         o.invalid = {{"com.apple.mobile.battery", "BatteryCurrentCapacity", "integer", "x"}};
         in.snapshot->probes.push_back(o);
       },
       {"device_values_invalid"}},
      {"other_no_data_not_prohibited",
       [](auto& in, auto&) { probe(in, "wifi", ProbeStatus::NoData, "not_supported"); },
       {}},
      {"signed_out",
       [](auto& in, auto&) {
         in.snapshot->account = AccountInfo{false, {}};
         setCloudEnabled(in, false);
       },
       {"icloud_signed_out", "icloud_backup_disabled"}},
      {"signed_out_proxy_contradicted",
       [](auto& in, auto&) {
         in.snapshot->account = AccountInfo{false, {}};
       },
       {}},
      {"signed_out_expect_computer",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         in.snapshot->account = AccountInfo{false, {}};
       },
       {}},
      {"wifi_off",
       [](auto& in, auto&) { in.snapshot->wifi = WifiState::NotAssociated; },
       {"wifi_disconnected"}},
      {"wifi_unknown", [](auto& in, auto&) { in.snapshot->wifi = WifiState::Unknown; }, {}},
      {"wifi_off_expect_computer",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         in.snapshot->wifi = WifiState::NotAssociated;
       },
       {}},
      {"ios_below_minimum", [](auto&, auto& c) { c.iosMinimumVersion = "18.2"; }, {"ios_outdated"}},
      {"ios_at_minimum", [](auto&, auto& c) { c.iosMinimumVersion = "18.1.0"; }, {}},
      {"ios_below_newest",
       [](auto& in, auto&) { in.external.newestIosVersion = "18.1.1"; },
       {"ios_outdated"}},
      {"ios_junk_version",
       [](auto& in, auto& c) {
         in.snapshot->identity.productVersion = "18.1 beta";
         in.history.lastSnapshot->identity.productVersion = "18.1 beta";
         c.iosMinimumVersion = "19.0";
       },
       {}},
      {"ios_junk_newest", [](auto& in, auto&) { in.external.newestIosVersion = "latest"; }, {}},
      {"clock_ahead",
       [=](auto& in, auto&) { in.snapshot->identity.deviceClock = now + minutes(10); },
       {"clock_skew"}},
      {"clock_behind",
       [=](auto& in, auto&) { in.snapshot->identity.deviceClock = now - hours(3); },
       {"clock_skew"}},
      {"clock_within",
       [=](auto& in, auto&) { in.snapshot->identity.deviceClock = now + minutes(4); },
       {}},
      {"probe_failing",
       [=](auto& in, auto&) {
         in.history.consecutiveProbeFailures = 3;
         in.history.probeFailingSince = now - hours(1);
       },
       {"probe_failing"}},
      {"probe_failing_below_threshold",
       [](auto& in, auto&) { in.history.consecutiveProbeFailures = 2; },
       {}},
      // Unknown always says why: one failure is enough when nothing else is known.
      {"probe_failing_first_failure_never_read",
       [](auto& in, auto&) { neverRead(in); },
       {"probe_failing"}},
      {"probe_failing_first_failure_backup_known",
       [](auto& in, auto&) {
         makeUnreadable(in, TrustState::Unknown);
         in.history.consecutiveProbeFailures = 1;
       },
       {}},
      {"probe_reads_fail_after_session_opened_never_read",
       [](auto& in, auto&) {
         neverRead(in);
         in.snapshot->trust = TrustState::Trusted;  // the session opened, then the link dropped
         in.snapshot->probes = {ProbeOutcome{"trust", ProbeStatus::Ok, "", "", 0.1},
                                ProbeOutcome{"backup", ProbeStatus::Error, "retry", "mux", 0.1}};
         in.history.consecutiveProbeFailures = 0;
         in.history.probeFailingSince.reset();
         in.history.connected = false;  // and it detached
         in.snapshot->connected = false;
       },
       {"probe_failing"}},
      {"probe_reads_fail_backup_known",
       [](auto& in, auto&) {
         in.snapshot->probes.push_back(ProbeOutcome{"backup", ProbeStatus::Error, "retry", "", 0});
       },
       {}},
      {"probe_failing_explained_by_lock",
       [](auto& in, auto&) {
         makeUnreadable(in, TrustState::PasscodeLocked);
         in.history.consecutiveProbeFailures = 5;
       },
       {"passcode_locked"}},
      {"missing", [=](auto& in, auto&) { detach(in, now - days(4)); }, {"device_missing"}},
      {"detached_recently", [=](auto& in, auto&) { detach(in, now - hours(2)); }, {}},
      {"detached_power_state_not_live",
       [=](auto& in, auto&) {
         battery(in, 5, false, false);
         in.snapshot->wifi = WifiState::NotAssociated;
         detach(in, now - hours(1));
       },
       {}},
      {"outage",
       [](auto& in, auto&) {
         in.external.outages.push_back({"iCloud Backup", "Outage", "Some users affected", {}});
       },
       {"apple_service_outage"}},
      {"outage_expect_computer",
       [](auto& in, auto& c) {
         computerOnly(in, c);
         in.external.outages.push_back({"iCloud Backup", "Outage", "x", {}});
       },
       {}},
      {"stale_unexplained",
       [=](auto& in, auto&) { setLastCloudBackup(in, now - days(3)); },
       {"backup_stale", "stale_unexplained"}},
      {"stale_and_the_local_backup_failing",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         in.localBackup = LocalBackupFacts{std::nullopt, std::nullopt, 2, "timeout", now};
       },
       {"backup_stale", "stale_unexplained", "local_backup_failing"}},
      {"stale_explained_by_cloud_off",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         setCloudEnabled(in, false);
       },
       {"backup_stale", "icloud_backup_disabled"}},
      {"stale_explained_by_power",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         battery(in, 80, false, false);
       },
       {"backup_stale", "not_on_power"}},
      {"stale_explained_by_wifi",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         in.snapshot->wifi = WifiState::NotAssociated;
       },
       {"backup_stale", "wifi_disconnected"}},
      {"stale_with_outage_still_unexplained",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         in.external.outages.push_back({"iCloud Backup", "Outage", "x", {}});
       },
       {"backup_stale", "stale_unexplained", "apple_service_outage"}},
      {"stale_storage_low_does_not_explain",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         in.snapshot->storage->totalDataAvailable = 1;
       },
       {"backup_stale", "stale_unexplained", "device_storage_low"}},
      {"stale_locked_explained",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(3));
         makeUnreadable(in, TrustState::PasscodeLocked);
       },
       {"backup_stale", "passcode_locked"}},
      {"stale_missing_explained",
       [=](auto& in, auto&) {
         setLastCloudBackup(in, now - days(5));
         detach(in, now - days(4));
       },
       {"backup_stale", "device_missing"}},
      {"computer_stale_power_does_not_explain",
       [=](auto& in, auto& c) {
         computerOnly(in, c);
         setLastComputerBackup(in, now - days(2));
         battery(in, 80, false, false);
       },
       {"backup_stale", "stale_unexplained", "not_on_power"}},
      {"computer_stale_encryption_explains",
       [=](auto& in, auto& c) {
         computerOnly(in, c);
         setLastComputerBackup(in, now - days(2));
         in.snapshot->backup->requiresEncryption = true;
       },
       {"backup_stale", "encryption_password_missing"}},
      {"either_fresh_computer_old_cloud",
       [=](auto& in, auto& c) {
         c.expect = BackupExpect::Either;
         setLastCloudBackup(in, now - days(20));
         setLastComputerBackup(in, now - hours(1));
       },
       {}},
  };
}

std::set<std::string> idsOf(const std::vector<Condition>& cs) {
  std::set<std::string> ids;
  for (const auto& c : cs) ids.insert(c.id);
  return ids;
}

class ConditionTable : public ::testing::TestWithParam<Case> {};

TEST_P(ConditionTable, RaisesExactlyTheListedIds) {
  auto in = healthyDevice();
  auto config = defaultConfig();
  GetParam().edit(in, config);
  const auto conditions = diagnose(in, config, fixtureNow());
  EXPECT_EQ(idsOf(conditions), GetParam().ids);
  for (const auto& c : conditions) {
    const auto* def = findConditionDef(c.id);
    ASSERT_NE(def, nullptr) << c.id;
    EXPECT_EQ(c.confidence, def->confidence) << c.id;
    if (c.id != "backup_stale") {
      EXPECT_EQ(c.severity, def->severity) << c.id;
    }
    EXPECT_FALSE(c.summary.empty()) << c.id;
    EXPECT_FALSE(c.fix.empty()) << c.id;
    EXPECT_FALSE(c.evidence.empty()) << c.id;
    EXPECT_EQ(c.summary.find('\n'), std::string::npos) << c.id;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ConditionTable, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ConditionTableCoverage, EveryCatalogIdIsRaisedBySomeCase) {
  std::set<std::string> raised;
  for (const auto& c : cases()) raised.insert(c.ids.begin(), c.ids.end());
  for (const auto& def : conditionCatalog()) EXPECT_TRUE(raised.count(def.id)) << def.id;
}

}  // namespace
}  // namespace ibackupmon::testing

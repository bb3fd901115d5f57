// SPDX-License-Identifier: Apache-2.0
#include "metrics/metrics_exporter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/sanitize.h"
#include "exposition.h"
#include "metrics/device_rows.h"
#include "synthetic_fleet.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using testing::makeHealthyDevice;
using testing::makeHostileDevice;
using testing::samplesOf;
using testing::sampleValue;

using testing::kNow;
const std::string kUdid = "00008101-000A1B2C3D4E5F60";

MetricsExporterOptions options() {
  MetricsExporterOptions o;
  o.conditionIds = testing::syntheticConditionIds();
  o.version = "1.2.3";
  o.revision = "abc";
  return o;
}

FleetView viewOf(std::vector<DeviceStatus> devices, bool usbmuxdUp = true) {
  FleetView v;
  v.devices = std::move(devices);
  v.usbmuxdUp = usbmuxdUp;
  v.at = kNow;
  return v;
}

std::string series(const std::string& name, const std::string& labels) {
  return name + "{" + labels + "}";
}

TEST(MetricsExporter, HealthyDeviceHasEveryPerDeviceSeries) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({makeHealthyDevice(kUdid, kNow)}));
  const std::string text = exporter.render();
  const std::string u = "udid=\"" + kUdid + "\"";
  EXPECT_EQ(sampleValue(text, series("ibackupmon_device_connected", u)), 1.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_device_last_seen_timestamp_seconds", u)),
            1'750'000'000.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_backup_last_success_timestamp_seconds",
                                     "kind=\"icloud\"," + u)),
            1'750'000'000.0 - 3600);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_backup_icloud_enabled", u)), 1.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_backup_stale", u)), 0.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_backup_stale_critical", u)), 0.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_level_ratio", u)), 0.8);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_external_power", u)), 1.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_charging", u)), 0.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_storage_available_bytes", u)), 40.0 * (1 << 30));
  EXPECT_EQ(sampleValue(text, series("ibackupmon_storage_capacity_bytes", u)), 128.0 * (1 << 30));
  EXPECT_EQ(sampleValue(text, series("ibackupmon_device_info",
                                     "ios_version=\"17.5.1\",name=\"Cart A 5F60\","
                                     "product_type=\"iPhone13,2\",serial=\"F2LX4E5F60\"," +
                                         u)),
            1.0);
  EXPECT_EQ(
      sampleValue(text, series("ibackupmon_build_info", "revision=\"abc\",version=\"1.2.3\"")),
      1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_usbmuxd_up"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_fleet_status_timestamp_seconds"), 1'750'000'000.0);
}

TEST(MetricsExporter, BatteryWearSeriesInBaseUnitsAndAbsentWhenUnknown) {
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  d.batteryHealth = 0.75;
  d.batteryCycleCount = 1204;
  d.batteryTemperatureCelsius = 41.5;
  d.batteryCurrentMa = -120;
  d.chargerWatts = 12;
  DeviceStatus unknown = makeHealthyDevice("00008101-000000000000FFFF", kNow);
  unknown.batteryHealth.reset();
  unknown.batteryCycleCount.reset();
  unknown.batteryTemperatureCelsius.reset();
  unknown.batteryCurrentMa.reset();
  unknown.chargerWatts.reset();
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({d, unknown}));
  const std::string text = exporter.render();
  const std::string u = "udid=\"" + kUdid + "\"";
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_health_ratio", u)), 0.75);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_cycles", u)), 1204.0);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_temperature_celsius", u)), 41.5);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_battery_current_amperes", u)), -0.12);
  EXPECT_EQ(sampleValue(text, series("ibackupmon_charger_watts", u)), 12.0);
  for (const char* name : {"ibackupmon_battery_health_ratio", "ibackupmon_battery_cycles",
                           "ibackupmon_battery_temperature_celsius",
                           "ibackupmon_battery_current_amperes", "ibackupmon_charger_watts"}) {
    EXPECT_EQ(samplesOf(text, name).size(), 1u) << name << ": the unknown device has none";
  }
}

TEST(MetricsExporter, UnknownValuesHaveNoSeries) {
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  d.lastSeen.reset();
  d.lastCloudBackup.reset();
  d.icloudBackupEnabled.reset();
  d.backupState = BackupState::Unknown;
  d.batteryLevel = 250;  // bogus reading: absent, not clamped
  d.onPower.reset();
  d.charging.reset();
  d.storageAvailableBytes.reset();
  d.storageCapacityBytes.reset();
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({d}));
  const std::string text = exporter.render();
  for (const char* name :
       {"ibackupmon_device_last_seen_timestamp_seconds",
        "ibackupmon_backup_last_success_timestamp_seconds", "ibackupmon_backup_icloud_enabled",
        "ibackupmon_backup_stale", "ibackupmon_backup_stale_critical",
        "ibackupmon_battery_level_ratio", "ibackupmon_battery_external_power",
        "ibackupmon_battery_charging", "ibackupmon_storage_available_bytes",
        "ibackupmon_storage_capacity_bytes"}) {
    EXPECT_TRUE(samplesOf(text, name).empty()) << name << " should be absent";
  }
  EXPECT_EQ(samplesOf(text, "ibackupmon_device_connected").size(), 1u);
}

TEST(MetricsExporter, ValuesThatBecomeUnknownLoseTheirSeries) {
  MetricsExporter exporter(options());
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  exporter.onFleetStatus(viewOf({d}));
  ASSERT_EQ(samplesOf(exporter.render(), "ibackupmon_backup_stale").size(), 1u);
  d.backupState = BackupState::Unknown;
  d.batteryLevel.reset();
  exporter.onFleetStatus(viewOf({d}));
  const std::string text = exporter.render();
  EXPECT_TRUE(samplesOf(text, "ibackupmon_backup_stale").empty());
  EXPECT_TRUE(samplesOf(text, "ibackupmon_battery_level_ratio").empty());
}

TEST(MetricsExporter, StaleAndCriticalFollowTheBackupStaleCondition) {
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  d.backupState = BackupState::Stale;
  d.conditions.push_back({.id = "backup_stale", .severity = Severity::Warning});
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({d}));
  const std::string u = "{udid=\"" + kUdid + "\"}";
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_backup_stale" + u), 1.0);
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_backup_stale_critical" + u), 0.0);
  d.conditions.front().severity = Severity::Critical;
  exporter.onFleetStatus(viewOf({d}));
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_backup_stale_critical" + u), 1.0);
}

TEST(MetricsExporter, EveryConditionIdHasASeriesPerDevice) {
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  d.conditions.push_back({.id = "not_on_power"});
  d.conditions.push_back({.id = "brand_new_condition"});  // not in the catalog: added
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({d, makeHealthyDevice("OTHER", kNow)}));
  const std::string text = exporter.render();
  const auto ids = testing::syntheticConditionIds();
  EXPECT_EQ(samplesOf(text, "ibackupmon_condition_active").size(), 2 * (ids.size() + 1));
  const std::string u = ",udid=\"" + kUdid + "\"}";
  EXPECT_EQ(sampleValue(text, "ibackupmon_condition_active{condition=\"not_on_power\"" + u), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_condition_active{condition=\"backup_stale\"" + u), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_condition_active{condition=\"brand_new_condition\"" + u),
            1.0);
  EXPECT_EQ(
      sampleValue(text,
                  "ibackupmon_condition_active{condition=\"brand_new_condition\",udid=\"OTHER\"}"),
      0.0);
}

TEST(MetricsExporter, ForgottenDevicesLoseAllTheirSeries) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({makeHealthyDevice(kUdid, kNow), makeHealthyDevice("KEPT", kNow)}));
  ASSERT_NE(exporter.render().find(kUdid), std::string::npos);
  exporter.onFleetStatus(viewOf({makeHealthyDevice("KEPT", kNow)}));
  const std::string text = exporter.render();
  EXPECT_EQ(text.find(kUdid), std::string::npos) << text;
  EXPECT_EQ(samplesOf(text, "ibackupmon_device_info").size(), 1u);
  EXPECT_EQ(samplesOf(text, "ibackupmon_condition_active").size(),
            testing::syntheticConditionIds().size());
}

TEST(MetricsExporter, RenamedDeviceHasOneInfoSeries) {
  MetricsExporter exporter(options());
  DeviceStatus d = makeHealthyDevice(kUdid, kNow);
  exporter.onFleetStatus(viewOf({d}));
  d.name = "Renamed";
  d.iosVersion = "18.0";
  exporter.onFleetStatus(viewOf({d}));
  const auto info = samplesOf(exporter.render(), "ibackupmon_device_info");
  ASSERT_EQ(info.size(), 1u);
  EXPECT_NE(info[0].find("name=\"Renamed\""), std::string::npos);
  EXPECT_NE(info[0].find("ios_version=\"18.0\""), std::string::npos);
}

TEST(MetricsExporter, HostileStringsCannotBreakTheFormat) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({makeHostileDevice(kNow)}));
  const std::string text = exporter.render();
  EXPECT_TRUE(isValidUtf8(text));
  EXPECT_EQ(text.find('\r'), std::string::npos);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("ibackupmon_", 0) == 0) << line;
    EXPECT_EQ(line.rfind("ibackupmon_fake", 0), std::string::npos) << "injected sample: " << line;
  }
  const auto info = samplesOf(text, "ibackupmon_device_info");
  ASSERT_EQ(info.size(), 1u);
  EXPECT_NE(info[0].find("\\\"quoted\\\" back\\\\slash"), std::string::npos) << info[0];
  EXPECT_LT(info[0].size(), 1200u) << "the 100 KB serial must be capped";
}

TEST(MetricsExporter, RowsThatSanitiseToTheSameUdidKeepOneSetOfSeries) {
  DeviceStatus a = makeHealthyDevice("SAME", kNow);
  DeviceStatus b = makeHealthyDevice("SAME\n", kNow);
  DeviceStatus empty = makeHealthyDevice("", kNow);
  empty.udid = "\r\n";
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({a, b, empty}));
  EXPECT_EQ(samplesOf(exporter.render(), "ibackupmon_device_connected").size(), 1u);
}

TEST(MetricsExporter, DeviceCountsByConnectionState) {
  DeviceStatus off = makeHealthyDevice("OFF", kNow);
  off.connected = false;
  MetricsExporter exporter(options());
  exporter.onFleetStatus(viewOf({makeHealthyDevice("ON", kNow), off}));
  std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_devices{state=\"connected\"}"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_devices{state=\"disconnected\"}"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_devices{state=\"unknown\"}"), 0.0);
  exporter.onFleetStatus(viewOf({makeHealthyDevice("ON", kNow), off}, /*usbmuxdUp=*/false));
  text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_devices{state=\"connected\"}"), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_devices{state=\"unknown\"}"), 2.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_usbmuxd_up"), 0.0);
}

TEST(MetricsExporter, UsbmuxdWedgedIsAlwaysPresent) {
  MetricsExporter exporter(options());
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_usbmuxd_wedged"), 0.0)
      << "0 before the first fleet view";
  FleetView v = viewOf({makeHealthyDevice("ON", kNow)});
  v.usbmuxdWedgedSince = kNow;
  exporter.onFleetStatus(v);
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_usbmuxd_wedged"), 1.0);
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_usbmuxd_up"), 1.0) << "wedged is not down";
  v.usbmuxdWedgedSince.reset();
  exporter.onFleetStatus(v);
  EXPECT_EQ(sampleValue(exporter.render(), "ibackupmon_usbmuxd_wedged"), 0.0);
}

TEST(MetricsExporter, RemediationSeriesArePresentFromTheStartAndCountWhatTheViewsSay) {
  MetricsExporter exporter(options());
  const std::string done =
      R"(ibackupmon_remediation_actions_total{action="restart",result="done"})";
  const std::string dry =
      R"(ibackupmon_remediation_actions_total{action="enable_icloud_backup",result="dry_run"})";
  std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, done), 0.0) << "every action and result at 0 from the start";
  EXPECT_EQ(sampleValue(text, dry), 0.0);
  EXPECT_EQ(samplesOf(text, "ibackupmon_remediation_actions_total").size(), 15U)
      << "three actions by five results";
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_remediation_enabled{action="restart"})"), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_remediation_paused"), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_remediation_dry_run"), 0.0);

  FleetView v = viewOf({makeHealthyDevice("ON", kNow)});
  v.remediation.restart = true;
  v.remediation.paused = true;
  v.remediation.actions[{"restart", "done"}] = 2;
  exporter.onFleetStatus(v);
  exporter.onFleetStatus(v);  // the same counts again: not counted twice
  v.remediation.actions[{"restart", "done"}] = 3;
  v.remediation.paused = false;
  exporter.onFleetStatus(v);
  text = exporter.render();
  EXPECT_EQ(sampleValue(text, done), 3.0);
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_remediation_enabled{action="restart"})"), 1.0);
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_remediation_enabled{action="enable_icloud_backup"})"),
            0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_remediation_paused"), 0.0);
  int code = -1;
  const auto out = testing::promtoolCheckMetrics(text, code);
  EXPECT_EQ(code, 0) << out;
}

TEST(MetricsExporter, LocalBackupSeriesFollowTheView) {
  MetricsExporter exporter(options());
  std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_local_backups_running"), 0.0) << "present from start";
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_remediation_enabled{action="local_backup"})"), 0.0);
  EXPECT_TRUE(samplesOf(text, "ibackupmon_local_backup_size_bytes").empty());

  FleetView v = viewOf({makeHealthyDevice("A", kNow), makeHealthyDevice("B", kNow)});
  v.remediation.localBackup = true;
  v.localBackup.running = 1;
  v.localBackup.volumeFreeBytes = 50'000'000'000;
  v.localBackup.devices["A"].lastSuccess = kNow - std::chrono::hours(2);
  v.localBackup.devices["A"].bytes = 4'100'000'000;
  v.localBackup.devices["B"].percent = 43;  // never finished: only its progress
  exporter.onFleetStatus(v);
  text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_local_backups_running"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_local_backup_volume_free_bytes"), 5e10);
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_remediation_enabled{action="local_backup"})"), 1.0);
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_local_backup_size_bytes{udid="A"})"), 4.1e9);
  EXPECT_EQ(
      sampleValue(text, R"(ibackupmon_local_backup_last_success_timestamp_seconds{udid="A"})"),
      metrics::unixSeconds(kNow - std::chrono::hours(2)));
  EXPECT_EQ(samplesOf(text, "ibackupmon_local_backup_size_bytes").size(), 1U);
  EXPECT_EQ(sampleValue(text, R"(ibackupmon_local_backup_progress_ratio{udid="B"})"), 0.43);
  EXPECT_EQ(samplesOf(text, "ibackupmon_local_backup_progress_ratio").size(), 1U);
  int code = -1;
  auto out = testing::promtoolCheckMetrics(text, code);
  EXPECT_EQ(code, 0) << out;

  // B's run ended without a finished backup: its progress goes, nothing else comes.
  v.localBackup.devices["B"].percent.reset();
  exporter.onFleetStatus(v);
  text = exporter.render();
  EXPECT_TRUE(samplesOf(text, "ibackupmon_local_backup_progress_ratio").empty()) << text;
  EXPECT_EQ(samplesOf(text, "ibackupmon_local_backup_size_bytes").size(), 1U);

  // The device's backup was deleted (forgotten): its series go.
  v.localBackup.devices.erase("A");
  exporter.onFleetStatus(v);
  text = exporter.render();
  EXPECT_TRUE(samplesOf(text, "ibackupmon_local_backup_size_bytes").empty()) << text;
  EXPECT_TRUE(samplesOf(text, "ibackupmon_local_backup_last_success_timestamp_seconds").empty());
}

TEST(MetricsExporter, ProbeOutcomesFeedHistogramAndErrorCounters) {
  MetricsExporter exporter(options());
  exporter.onProbeOutcome({.probe = "battery", .status = ProbeStatus::Ok, .seconds = 0.02});
  exporter.onProbeOutcome(
      {.probe = "backup", .status = ProbeStatus::Error, .error = "timeout", .seconds = 15});
  exporter.onProbeOutcome({.probe = "backup",
                           .status = ProbeStatus::NoData,
                           .error = "get_prohibited",
                           .seconds = 0.01});
  exporter.onWorkerAbandoned(kUdid);
  const std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_probe_duration_seconds_count{probe=\"backup\"}"), 2.0);
  EXPECT_EQ(
      sampleValue(text, "ibackupmon_probe_duration_seconds_bucket{probe=\"battery\",le=\"0.025\"}"),
      1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_probe_errors_total{error=\"timeout\",probe=\"backup\"}"),
            1.0);
  EXPECT_EQ(samplesOf(text, "ibackupmon_probe_errors_total").size(), 1u) << "no data is no error";
  EXPECT_EQ(sampleValue(text, "ibackupmon_probe_workers_abandoned_total"), 1.0);
}

// A domain read with some unusable values is an Ok probe, but each such value is counted.
TEST(MetricsExporter, InvalidValuesOfAnOkProbeAreCountedAsProbeErrors) {
  MetricsExporter exporter(options());
  ProbeOutcome battery{.probe = "battery", .status = ProbeStatus::Ok, .seconds = 0.02};
  battery.invalid = {{"com.apple.mobile.battery", "BatteryCurrentCapacity", "integer", "250"},
                     {"com.apple.mobile.battery", "ExternalConnected", "string", "x"}};
  exporter.onProbeOutcome(battery);
  exporter.onProbeOutcome(battery);
  const std::string text = exporter.render();
  EXPECT_EQ(
      sampleValue(text, "ibackupmon_probe_errors_total{error=\"invalid_value\",probe=\"battery\"}"),
      4.0);
}

TEST(MetricsExporter, AlertMetricsStartAtZeroAndCount) {
  MetricsExporter exporter(options());
  std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_alerts_sent_total{channel=\"email\"}"), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_alerts_failed_total{channel=\"alertmanager\"}"), 0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_alert_outbox_depth"), 0.0);
  EXPECT_TRUE(samplesOf(text, "ibackupmon_usbmuxd_up").empty()) << "unknown before a fleet view";
  AlertMetrics& alerts = exporter;
  alerts.alertSent(kAlertChannelEmail);
  alerts.alertSent(kAlertChannelEmail);
  alerts.alertFailed(kAlertChannelAlertmanager);
  alerts.setOutboxDepth(3);
  text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_alerts_sent_total{channel=\"email\"}"), 2.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_alerts_failed_total{channel=\"alertmanager\"}"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_alert_outbox_depth"), 3.0);
}

TEST(MetricsExporter, FeedMetricsFollowTheFeedObserverCalls) {
  MetricsExporter exporter(options());
  std::string text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_feed_errors_total{feed=\"apple_status\"}"), 0.0);
  EXPECT_TRUE(samplesOf(text, "ibackupmon_feed_last_success_timestamp_seconds").empty());
  EXPECT_TRUE(samplesOf(text, "ibackupmon_apple_service_active_events").empty())
      << "no report yet: unknown, not 0";
  FeedObserver& feeds = exporter;
  feeds.onFeedSuccess(kFeedIosCatalog, kNow);
  feeds.onFeedError(kFeedAppleStatus, Error{"http", "503"});
  AppleStatusReport report;
  report.services.push_back({.name = "iCloud Backup", .activeEvents = {{}, {}}});
  report.services.push_back({.name = "Apple ID"});
  feeds.onAppleStatus(report);
  text = exporter.render();
  EXPECT_EQ(
      sampleValue(text, "ibackupmon_feed_last_success_timestamp_seconds{feed=\"ios_catalog\"}"),
      1'750'000'000.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_feed_errors_total{feed=\"apple_status\"}"), 1.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_apple_service_active_events{service=\"iCloud Backup\"}"),
            2.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_apple_service_active_events{service=\"Apple ID\"}"), 0.0);
  // The next feed lacks "Apple ID": its events are unknown now, so its series goes.
  report.services.pop_back();
  report.missingServices = {"Apple ID"};
  feeds.onAppleStatus(report);
  text = exporter.render();
  EXPECT_EQ(samplesOf(text, "ibackupmon_apple_service_active_events").size(), 1u);
  // The AlertMetrics spellings of the same facts land in the same series.
  AlertMetrics& alerts = exporter;
  alerts.setAppleServiceActiveEvents("iCloud Backup", 0);
  alerts.feedFailed(kFeedAppleStatus);
  text = exporter.render();
  EXPECT_EQ(sampleValue(text, "ibackupmon_apple_service_active_events{service=\"iCloud Backup\"}"),
            0.0);
  EXPECT_EQ(sampleValue(text, "ibackupmon_feed_errors_total{feed=\"apple_status\"}"), 2.0);
}

// Updates come from the app strand while the HTTP server's render threads scrape: every scrape
// must show one whole fleet view (all of the 10-device fleet or all of the 3-device one, never a
// mix).
TEST(MetricsExporter, ConcurrentScrapesSeeWholeFleetViews) {
  MetricsExporter exporter(options());
  const FleetView big = testing::makeSyntheticFleet(10, kNow);
  const FleetView small = testing::makeSyntheticFleet(3, kNow);
  exporter.onFleetStatus(big);
  std::atomic<bool> done{false};
  std::thread updater([&] {
    for (int i = 0; i < 300; ++i) exporter.onFleetStatus(i % 2 ? big : small);
    done = true;
  });
  int scrapes = 0;
  while (!done || scrapes == 0) {
    const std::string text = exporter.render();
    const auto info = samplesOf(text, "ibackupmon_device_info").size();
    const auto conditions = samplesOf(text, "ibackupmon_condition_active").size();
    ASSERT_TRUE(info == 10 || info == 3) << info;
    ASSERT_EQ(conditions, info * testing::syntheticConditionIds().size());
    ++scrapes;
  }
  updater.join();
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "metrics/families.h"

#include <algorithm>
#include <optional>

#include "metrics/text_writer.h"

namespace ibackupmon::metrics {
namespace {

GaugeFamily& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

CounterFamily& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

}  // namespace

namespace {

using OptionalField = std::optional<double> DeviceRow::*;

// Families whose only label is udid and whose value is one optional field of the row.
struct UdidGauge {
  const char* name;
  const char* help;
  OptionalField field;
};

const UdidGauge kUdidGauges[] = {
    {"ibackupmon_device_last_seen_timestamp_seconds",
     "Unix time this host last listed or reached the device.", &DeviceRow::lastSeen},
    {"ibackupmon_backup_icloud_enabled",
     "1 when iCloud Backup is on, 0 when off; absent when unknown.", &DeviceRow::icloudEnabled},
    {"ibackupmon_backup_stale",
     "1 when no counted backup within backup.stale_after, 0 when backed up; absent when unknown.",
     &DeviceRow::stale},
    {"ibackupmon_backup_stale_critical",
     "1 when the backup is also older than backup.critical_after; absent when unknown.",
     &DeviceRow::staleCritical},
    {"ibackupmon_battery_level_ratio", "Battery charge, 0 to 1.", &DeviceRow::batteryLevel},
    {"ibackupmon_battery_external_power", "1 when external power is connected, else 0.",
     &DeviceRow::externalPower},
    {"ibackupmon_battery_charging", "1 when charging, else 0.", &DeviceRow::charging},
    {"ibackupmon_battery_cycles", "Battery charge cycles; absent when unknown.",
     &DeviceRow::batteryCycleCount},
    {"ibackupmon_battery_health_ratio",
     "Estimated battery health: full-charge capacity / design capacity (0 to 1.5); an estimate, "
     "not Apple's Maximum Capacity; absent when unknown.",
     &DeviceRow::batteryHealth},
    {"ibackupmon_battery_temperature_celsius",
     "Battery temperature in degrees Celsius; absent when unknown or detached.",
     &DeviceRow::batteryTemperature},
    {"ibackupmon_battery_current_amperes",
     "Battery current in amperes, negative while discharging; absent when unknown or detached.",
     &DeviceRow::batteryCurrent},
    {"ibackupmon_charger_watts",
     "Rated power of the connected charger in watts; absent when unknown or unplugged.",
     &DeviceRow::chargerWatts},
    {"ibackupmon_storage_available_bytes", "Free space on the device's data partition.",
     &DeviceRow::storageAvailable},
    {"ibackupmon_storage_capacity_bytes", "Capacity of the device's data partition.",
     &DeviceRow::storageCapacity},
    {"ibackupmon_usb_link_speed_bytes_per_second",
     "Negotiated USB link speed in bytes per second, the base unit (60e6 = 480 Mbit/s, high "
     "speed); absent for network devices and when unknown.",
     &DeviceRow::linkSpeedBytes},
};

constexpr const char* kInfo = "ibackupmon_device_info";
constexpr const char* kConnected = "ibackupmon_device_connected";
constexpr const char* kBackup = "ibackupmon_backup_last_success_timestamp_seconds";
constexpr const char* kCondition = "ibackupmon_condition_active";
constexpr const char* kSlot = "ibackupmon_device_slot_info";

void writeSlots(TextWriter& w, const std::vector<DeviceRow>& rows) {
  const bool any =
      std::any_of(rows.begin(), rows.end(), [](const DeviceRow& r) { return r.slotPort; });
  if (!any) return;
  w.family(kSlot,
           "The USB port a device is attached at now and the [[slot]] label of that port; always 1 "
           "(labels udid, port, label).",
           "gauge");
  for (const DeviceRow& r : rows) {
    if (r.slotPort) {
      w.sample(kSlot, {{"label", r.slotLabel}, {"port", *r.slotPort}, {"udid", r.udid}}, 1);
    }
  }
}

void writeBackups(TextWriter& w, const std::vector<DeviceRow>& rows) {
  const bool any = std::any_of(rows.begin(), rows.end(), [](const DeviceRow& r) {
    return r.lastCloudBackup || r.lastComputerBackup;
  });
  if (!any) return;
  w.family(kBackup,
           "Unix time of the backup the device last reported, by kind (icloud, computer); "
           "absent when never seen.",
           "gauge");
  for (const DeviceRow& r : rows) {
    if (r.lastCloudBackup)
      w.sample(kBackup, {{"kind", "icloud"}, {"udid", r.udid}}, *r.lastCloudBackup);
    if (r.lastComputerBackup) {
      w.sample(kBackup, {{"kind", "computer"}, {"udid", r.udid}}, *r.lastComputerBackup);
    }
  }
}

void writeConditions(TextWriter& w, const std::vector<DeviceRow>& rows,
                     const std::vector<std::string>& conditionIds) {
  if (conditionIds.empty()) return;
  w.family(kCondition,
           "1 while the diagnosed condition is open on the device, else 0; one series per "
           "condition id (severities: docs/conditions.md).",
           "gauge");
  for (const DeviceRow& r : rows) {
    for (std::size_t i = 0; i < conditionIds.size(); ++i) {
      const bool open = i < r.conditions.size() && r.conditions[i];
      w.sample(kCondition, {{"condition", conditionIds[i]}, {"udid", r.udid}}, open ? 1 : 0);
    }
  }
}

void writeUdidGauge(TextWriter& w, const std::vector<DeviceRow>& rows, const UdidGauge& g) {
  const bool any = std::any_of(rows.begin(), rows.end(),
                               [&](const DeviceRow& r) { return (r.*g.field).has_value(); });
  if (!any) return;
  w.family(g.name, g.help, "gauge");
  for (const DeviceRow& r : rows) {
    if (const auto& v = r.*g.field) w.sample(g.name, {{"udid", r.udid}}, *v);
  }
}

}  // namespace

void writeDeviceFamilies(std::string& out, const std::vector<DeviceRow>& rows,
                         const std::vector<std::string>& conditionIds) {
  if (rows.empty()) return;
  TextWriter w(out);
  w.family(kInfo,
           "Identity of a known device; always 1 (labels udid, name, product_type, ios_version, "
           "serial).",
           "gauge");
  for (const DeviceRow& r : rows) {
    w.sample(kInfo,
             {{"ios_version", r.iosVersion},
              {"name", r.name},
              {"product_type", r.productType},
              {"serial", r.serial},
              {"udid", r.udid}},
             1);
  }
  w.family(kConnected, "1 when the device is attached to this host now, else 0.", "gauge");
  for (const DeviceRow& r : rows) w.sample(kConnected, {{"udid", r.udid}}, r.connected ? 1 : 0);
  writeBackups(w, rows);
  writeConditions(w, rows, conditionIds);
  writeSlots(w, rows);
  for (const UdidGauge& g : kUdidGauges) writeUdidGauge(w, rows, g);
}

prometheus::Histogram::BucketBoundaries probeDurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60};
}

Families::Families(prometheus::Registry& r)
    : devices(gauge(r, "ibackupmon_devices",
                    "Known devices by connection state (unknown while usbmuxd is down).")),
      usbmuxdUp(gauge(r, "ibackupmon_usbmuxd_up", "1 when usbmuxd answers, else 0.")),
      usbmuxdWedged(gauge(r, "ibackupmon_usbmuxd_wedged",
                          "1 while usbmuxd accepts connections but answers nothing, else 0.")),
      remediationActions(counter(r, "ibackupmon_remediation_actions_total",
                                 "Remediation audit rows finished since start, by action and "
                                 "result (done, failed, skipped, dry_run, interrupted).")),
      remediationEnabled(gauge(r, "ibackupmon_remediation_enabled",
                               "1 when [remediation] turns the action on, else 0.")),
      remediationDryRun(gauge(r, "ibackupmon_remediation_dry_run",
                              "1 when [remediation] dry_run is set: nothing is sent, else 0.")),
      remediationPaused(gauge(r, "ibackupmon_remediation_paused",
                              "1 while ibackupmonctl remediation pause holds, else 0.")),
      localBackupLastSuccess(
          gauge(r, "ibackupmon_local_backup_last_success_timestamp_seconds",
                "Unix time the newest local safety-net backup of the device finished.")),
      localBackupSize(gauge(r, "ibackupmon_local_backup_size_bytes",
                            "Size of the newest finished local backup of the device.")),
      localBackupProgress(gauge(r, "ibackupmon_local_backup_progress_ratio",
                                "Progress of the local backup running now, 0 to 1, as "
                                "idevicebackup2 reports it.")),
      localBackupsRunning(gauge(r, "ibackupmon_local_backups_running",
                                "Local backups (idevicebackup2 children) running now.")),
      localBackupVolumeFree(gauge(r, "ibackupmon_local_backup_volume_free_bytes",
                                  "Free bytes on the file system of [local_backup] directory.")),
      fleetUpdated(gauge(r, "ibackupmon_fleet_status_timestamp_seconds",
                         "Unix time of the fleet view these metrics show.")),
      buildInfo(gauge(r, "ibackupmon_build_info", "Version of ibackupmond; always 1.")),
      probeDuration(prometheus::BuildHistogram()
                        .Name("ibackupmon_probe_duration_seconds")
                        .Help("Wall time of one probe of one device, by probe.")
                        .Register(r)),
      probeErrors(counter(r, "ibackupmon_probe_errors_total",
                          "Probes that failed, by probe and stable error id.")),
      workersAbandoned(counter(r, "ibackupmon_probe_workers_abandoned_total",
                               "Probe worker threads given up on after hanging in "
                               "libimobiledevice.")),
      alertsSent(counter(r, "ibackupmon_alerts_sent_total", "Alerts delivered, by channel.")),
      alertsFailed(counter(r, "ibackupmon_alerts_failed_total",
                           "Alert delivery attempts that failed, by channel.")),
      alertOutboxDepth(
          gauge(r, "ibackupmon_alert_outbox_depth", "Alerts waiting in the durable outbox.")),
      appleServiceActiveEvents(gauge(r, "ibackupmon_apple_service_active_events",
                                     "Ongoing Apple System Status events, by watched service.")),
      feedLastSuccess(gauge(r, "ibackupmon_feed_last_success_timestamp_seconds",
                            "Unix time a feed was last fetched and parsed, by feed.")),
      feedErrors(counter(r, "ibackupmon_feed_errors_total",
                         "Feed fetches that failed or had an unknown shape, by feed.")) {}

}  // namespace ibackupmon::metrics

#include "metrics/families.h"

namespace ibackupmon::metrics {
namespace {

GaugeFamily& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

CounterFamily& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

}  // namespace

prometheus::Histogram::BucketBoundaries probeDurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60};
}

Families::Families(prometheus::Registry& r)
    : deviceInfo(gauge(r, "ibackupmon_device_info",
                       "Identity of a known device; always 1 (labels udid, name, product_type, "
                       "ios_version, serial).")),
      deviceConnected(gauge(r, "ibackupmon_device_connected",
                            "1 when the device is attached to this host now, else 0.")),
      deviceLastSeen(gauge(r, "ibackupmon_device_last_seen_timestamp_seconds",
                           "Unix time this host last listed or reached the device.")),
      backupLastSuccess(gauge(r, "ibackupmon_backup_last_success_timestamp_seconds",
                              "Unix time of the newest backup the device reports, by kind "
                              "(icloud, computer); absent when never seen.")),
      backupIcloudEnabled(gauge(r, "ibackupmon_backup_icloud_enabled",
                                "1 when iCloud Backup is on, 0 when off; absent when unknown.")),
      backupStale(gauge(r, "ibackupmon_backup_stale",
                        "1 when no counted backup within backup.stale_after, 0 when backed up; "
                        "absent when unknown.")),
      backupStaleCritical(gauge(r, "ibackupmon_backup_stale_critical",
                                "1 when the backup is also older than backup.critical_after; "
                                "absent when unknown.")),
      conditionActive(gauge(r, "ibackupmon_condition_active",
                            "1 while the diagnosed condition is open on the device, else 0; one "
                            "series per condition id (severities: docs/metrics.md).")),
      batteryLevel(gauge(r, "ibackupmon_battery_level_ratio", "Battery charge, 0 to 1.")),
      batteryExternalPower(gauge(r, "ibackupmon_battery_external_power",
                                 "1 when external power is connected, else 0.")),
      batteryCharging(gauge(r, "ibackupmon_battery_charging", "1 when charging, else 0.")),
      storageAvailable(gauge(r, "ibackupmon_storage_available_bytes",
                             "Free space on the device's data partition.")),
      storageCapacity(gauge(r, "ibackupmon_storage_capacity_bytes",
                            "Capacity of the device's data partition.")),
      devices(gauge(r, "ibackupmon_devices",
                    "Known devices by connection state (unknown while usbmuxd is down).")),
      usbmuxdUp(gauge(r, "ibackupmon_usbmuxd_up", "1 when usbmuxd answers, else 0.")),
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

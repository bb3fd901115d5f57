#include "metrics/families.h"

#include <iterator>
#include <optional>

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

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using OptionalField = std::optional<double> DeviceRow::*;

MetricFamily family(const char* name, const char* help, std::size_t reserve) {
  MetricFamily f{name, help, MetricType::Gauge, {}};
  f.metric.reserve(reserve);
  return f;
}

void addSample(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

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
    {"ibackupmon_storage_available_bytes", "Free space on the device's data partition.",
     &DeviceRow::storageAvailable},
    {"ibackupmon_storage_capacity_bytes", "Capacity of the device's data partition.",
     &DeviceRow::storageCapacity},
};

}  // namespace

std::vector<MetricFamily> collectDeviceFamilies(const std::vector<DeviceRow>& rows,
                                                const std::vector<std::string>& conditionIds) {
  const std::size_t n = rows.size();
  MetricFamily info = family("ibackupmon_device_info",
                             "Identity of a known device; always 1 (labels udid, name, "
                             "product_type, ios_version, serial).",
                             n);
  MetricFamily connected = family("ibackupmon_device_connected",
                                  "1 when the device is attached to this host now, else 0.", n);
  MetricFamily backups = family("ibackupmon_backup_last_success_timestamp_seconds",
                                "Unix time of the newest backup the device reports, by kind "
                                "(icloud, computer); absent when never seen.",
                                2 * n);
  MetricFamily conditions =
      family("ibackupmon_condition_active",
             "1 while the diagnosed condition is open on the device, else "
             "0; one series per condition id (severities: docs/conditions.md).",
             n * conditionIds.size());
  std::vector<MetricFamily> byUdid;
  for (const UdidGauge& g : kUdidGauges) byUdid.push_back(family(g.name, g.help, n));
  for (const DeviceRow& r : rows) {
    addSample(info,
              {{"ios_version", r.iosVersion},
               {"name", r.name},
               {"product_type", r.productType},
               {"serial", r.serial},
               {"udid", r.udid}},
              1);
    addSample(connected, {{"udid", r.udid}}, r.connected ? 1 : 0);
    if (r.lastCloudBackup)
      addSample(backups, {{"kind", "icloud"}, {"udid", r.udid}}, *r.lastCloudBackup);
    if (r.lastComputerBackup) {
      addSample(backups, {{"kind", "computer"}, {"udid", r.udid}}, *r.lastComputerBackup);
    }
    for (std::size_t i = 0; i < std::size(kUdidGauges); ++i) {
      if (const auto& v = r.*kUdidGauges[i].field) addSample(byUdid[i], {{"udid", r.udid}}, *v);
    }
    for (std::size_t i = 0; i < conditionIds.size(); ++i) {
      const bool open = i < r.conditions.size() && r.conditions[i];
      addSample(conditions, {{"condition", conditionIds[i]}, {"udid", r.udid}}, open ? 1 : 0);
    }
  }
  std::vector<MetricFamily> out;
  for (MetricFamily* f : {&info, &connected, &backups, &conditions}) out.push_back(std::move(*f));
  for (MetricFamily& f : byUdid) out.push_back(std::move(f));
  std::erase_if(out, [](const MetricFamily& f) { return f.metric.empty(); });
  return out;
}

prometheus::Histogram::BucketBoundaries probeDurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60};
}

Families::Families(prometheus::Registry& r)
    : devices(gauge(r, "ibackupmon_devices",
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

// SPDX-License-Identifier: Apache-2.0
#include "metrics/metrics_exporter.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "core/remediation.h"
#include "core/sanitize.h"
#include "metrics/device_rows.h"
#include "metrics/families.h"

namespace ibackupmon {
namespace {

// Label values from outside (feed service names, error ids) get the same treatment as device
// strings: valid UTF-8, no control characters, bounded length.
std::string label(std::string_view v) {
  return sanitizeDeviceString(v);
}

}  // namespace

// One lock over the per-host registry and the device rows: a scrape sees whole updates.
struct MetricsExporter::Impl {
  explicit Impl(MetricsExporterOptions o);
  void updateDeviceCounts(const FleetView& view);

  mutable std::mutex mutex;
  prometheus::Registry registry;
  metrics::Families f{registry};
  std::vector<metrics::DeviceRow> rows;  ///< the latest fleet view, one row per device
  metrics::ConditionIds conditionIds;    ///< catalog order, then ids first seen in a view
  /// The view's remediation counts already added to the counter.
  std::map<std::pair<std::string, std::string>, std::uint64_t> remediationCounted;

  void updateRemediation(const RemediationView& r);
  void updateLocalBackups(const LocalBackupView& v);
  std::set<std::string> localBackupUdids;  // udids with local-backup series
};

MetricsExporter::Impl::Impl(MetricsExporterOptions o) {
  for (const std::string& id : o.conditionIds) conditionIds.add(id);
  f.buildInfo.Add({{"version", label(o.version)}, {"revision", label(o.revision)}}).Set(1);
  // ibackupmon_usbmuxd_up and the fleet timestamp appear with the first fleet view: before it,
  // whether usbmuxd answers is unknown, not "down".
  f.alertOutboxDepth.Add({}).Set(0);
  // A wedge is only ever reported by a ping that got no answer: 0 until one does.
  f.usbmuxdWedged.Add({}).Set(0);
  f.workersAbandoned.Add({});
  for (const char* action : kRemediationActionNames) {
    f.remediationEnabled.Add({{"action", action}}).Set(0);
    for (auto result : {ActionResult::Done, ActionResult::Failed, ActionResult::Skipped,
                        ActionResult::DryRun, ActionResult::Interrupted}) {
      f.remediationActions.Add({{"action", action}, {"result", toString(result)}});
    }
  }
  f.remediationDryRun.Add({}).Set(0);
  f.remediationPaused.Add({}).Set(0);
  f.localBackupsRunning.Add({}).Set(0);
  for (const char* connection : {"connected", "disconnected", "unknown"}) {
    f.devices.Add({{"state", connection}}).Set(0);
  }
  for (const std::string& c : o.alertChannels) {
    f.alertsSent.Add({{"channel", label(c)}});
    f.alertsFailed.Add({{"channel", label(c)}});
  }
  for (const std::string& feed : o.feeds) f.feedErrors.Add({{"feed", label(feed)}});
}

void MetricsExporter::Impl::updateRemediation(const RemediationView& r) {
  f.remediationEnabled.Add({{"action", toString(RemediationAction::EnableIcloudBackup)}})
      .Set(r.enableIcloudBackup ? 1 : 0);
  f.remediationEnabled.Add({{"action", toString(RemediationAction::Restart)}})
      .Set(r.restart ? 1 : 0);
  f.remediationEnabled.Add({{"action", toString(RemediationAction::LocalBackup)}})
      .Set(r.localBackup ? 1 : 0);
  f.remediationDryRun.Add({}).Set(r.dryRun ? 1 : 0);
  f.remediationPaused.Add({}).Set(r.paused ? 1 : 0);
  for (const auto& [key, count] : r.actions) {
    auto& counted = remediationCounted[key];
    if (count <= counted) continue;
    f.remediationActions.Add({{"action", label(key.first)}, {"result", label(key.second)}})
        .Increment(static_cast<double>(count - counted));
    counted = count;
  }
}

void MetricsExporter::Impl::updateLocalBackups(const LocalBackupView& v) {
  f.localBackupsRunning.Add({}).Set(v.running);
  if (v.volumeFreeBytes) {
    f.localBackupVolumeFree.Add({}).Set(static_cast<double>(*v.volumeFreeBytes));
  }
  // Each family keeps exactly the devices the view gives it a value for.
  std::set<std::string> now;
  std::set<std::string> finished;
  std::set<std::string> sized;
  std::set<std::string> running;
  for (const auto& [udid, d] : v.devices) {
    const std::string u = label(udid);
    now.insert(u);
    if (d.lastSuccess) {
      finished.insert(u);
      f.localBackupLastSuccess.Add({{"udid", u}}).Set(metrics::unixSeconds(*d.lastSuccess));
    }
    if (d.lastSuccess && d.bytes) {
      sized.insert(u);
      f.localBackupSize.Add({{"udid", u}}).Set(static_cast<double>(*d.bytes));
    }
    if (d.percent) {
      running.insert(u);
      f.localBackupProgress.Add({{"udid", u}}).Set(std::clamp(*d.percent, 0, 100) / 100.0);
    }
  }
  const auto drop = [](metrics::GaugeFamily& family, const std::string& u,
                       const std::set<std::string>& keep) {
    if (keep.contains(u)) return;
    const prometheus::Labels labels{{"udid", u}};
    if (family.Has(labels)) family.Remove(&family.Add(labels));
  };
  for (const std::string& u : localBackupUdids) {
    drop(f.localBackupLastSuccess, u, finished);
    drop(f.localBackupSize, u, sized);
    drop(f.localBackupProgress, u, running);
  }
  localBackupUdids = std::move(now);
}

// While usbmuxd is down nobody can tell which devices are attached: "unknown", not "disconnected".
void MetricsExporter::Impl::updateDeviceCounts(const FleetView& view) {
  double connected = 0;
  double disconnected = 0;
  double unknown = 0;
  for (const auto& d : view.devices) {
    if (!view.usbmuxdUp) {
      ++unknown;
    } else if (d.connected) {
      ++connected;
    } else {
      ++disconnected;
    }
  }
  f.devices.Add({{"state", "connected"}}).Set(connected);
  f.devices.Add({{"state", "disconnected"}}).Set(disconnected);
  f.devices.Add({{"state", "unknown"}}).Set(unknown);
}

MetricsExporter::MetricsExporter(MetricsExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MetricsExporter::~MetricsExporter() = default;

void MetricsExporter::onFleetStatus(const FleetView& view) {
  std::vector<metrics::DeviceRow> rows;
  rows.reserve(view.devices.size());
  std::lock_guard lock(impl_->mutex);
  std::set<std::string> present;
  for (const auto& d : view.devices) {
    metrics::DeviceRow row = metrics::makeDeviceRow(d, impl_->conditionIds);
    // An empty udid or a second row for the same (sanitised) udid cannot have series of its own.
    if (row.udid.empty() || !present.insert(row.udid).second) continue;
    rows.push_back(std::move(row));
  }
  // Devices forgotten by the monitor are not in the view: their series go with the old rows.
  impl_->rows = std::move(rows);
  impl_->updateDeviceCounts(view);
  impl_->f.usbmuxdUp.Add({}).Set(view.usbmuxdUp ? 1 : 0);
  impl_->f.usbmuxdWedged.Add({}).Set(view.usbmuxdWedgedSince ? 1 : 0);
  impl_->updateRemediation(view.remediation);
  impl_->updateLocalBackups(view.localBackup);
  impl_->f.fleetUpdated.Add({}).Set(metrics::unixSeconds(view.at));
}

void MetricsExporter::onProbeOutcome(const ProbeOutcome& outcome) {
  std::lock_guard lock(impl_->mutex);
  const std::string probe = label(outcome.probe);
  impl_->f.probeDuration.Add({{"probe", probe}}, metrics::probeDurationBuckets())
      .Observe(outcome.seconds);
  if (outcome.status == ProbeStatus::Error) {
    const std::string error = outcome.error.empty() ? "unknown" : label(outcome.error);
    impl_->f.probeErrors.Add({{"probe", probe}, {"error", error}}).Increment();
  }
  // A probe that read its domain may still have found values it could not use.
  if (!outcome.invalid.empty()) {
    impl_->f.probeErrors.Add({{"probe", probe}, {"error", "invalid_value"}})
        .Increment(static_cast<double>(outcome.invalid.size()));
  }
}

void MetricsExporter::onWorkerAbandoned(const std::string& /*udid*/) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.workersAbandoned.Add({}).Increment();
}

void MetricsExporter::alertSent(std::string_view channel) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.alertsSent.Add({{"channel", label(channel)}}).Increment();
}

void MetricsExporter::alertFailed(std::string_view channel) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.alertsFailed.Add({{"channel", label(channel)}}).Increment();
}

void MetricsExporter::setOutboxDepth(std::size_t depth) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.alertOutboxDepth.Add({}).Set(static_cast<double>(depth));
}

void MetricsExporter::setAppleServiceActiveEvents(std::string_view service, std::size_t events) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.appleServiceActiveEvents.Add({{"service", label(service)}})
      .Set(static_cast<double>(events));
}

void MetricsExporter::onFeedSuccess(std::string_view feed, TimePoint at) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.feedLastSuccess.Add({{"feed", label(feed)}}).Set(metrics::unixSeconds(at));
}

void MetricsExporter::onFeedError(std::string_view feed, const Error& /*error*/) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.feedErrors.Add({{"feed", label(feed)}}).Increment();
}

void MetricsExporter::onAppleStatus(const AppleStatusReport& report) {
  std::lock_guard lock(impl_->mutex);
  auto& family = impl_->f.appleServiceActiveEvents;
  for (const AppleServiceStatus& s : report.services) {
    family.Add({{"service", label(s.name)}}).Set(static_cast<double>(s.activeEvents.size()));
  }
  for (const std::string& missing : report.missingServices) {
    const prometheus::Labels labels{{"service", label(missing)}};
    if (family.Has(labels)) family.Remove(&family.Add(labels));
  }
}

// Per-device families from the rows, per-host ones (histograms, counters) through prometheus-cpp.
std::string MetricsExporter::render() const {
  std::string out;
  std::lock_guard lock(impl_->mutex);
  // ~80 bytes per series, ~12 series per device besides the condition flags.
  out.reserve(impl_->rows.size() * (impl_->conditionIds.ids().size() + 12) * 80 + 16384);
  metrics::writeDeviceFamilies(out, impl_->rows, impl_->conditionIds.ids());
  out += prometheus::TextSerializer().Serialize(impl_->registry.Collect());
  return out;
}

}  // namespace ibackupmon

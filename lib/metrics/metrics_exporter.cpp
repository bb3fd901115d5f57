#include "metrics/metrics_exporter.h"

#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

#include "core/sanitize.h"
#include "metrics/device_series.h"
#include "metrics/families.h"

namespace ibackupmon {
namespace {

// Owns the registry and the lock; the exposer holds it weakly, so it may outlive the exporter
// for the length of one scrape without dangling.
class LockedRegistry final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mutex);
    return registry.Collect();
  }
  mutable std::mutex mutex;
  prometheus::Registry registry;
};

// Label values from outside (feed service names, error ids) get the same treatment as device
// strings: valid UTF-8, no control characters, bounded length.
std::string label(std::string_view v) {
  return sanitizeDeviceString(v);
}

}  // namespace

struct MetricsExporter::Impl {
  explicit Impl(MetricsExporterOptions o);
  void addConditionId(const std::string& raw);
  void updateDeviceCounts(const FleetView& view);

  std::shared_ptr<LockedRegistry> locked = std::make_shared<LockedRegistry>();
  std::mutex& mutex = locked->mutex;
  metrics::Families f{locked->registry};
  std::vector<std::string> conditionIds;  ///< sanitised, in catalog order, then first seen
  std::set<std::string> conditionIdSet;
  std::map<std::string, std::unique_ptr<metrics::DeviceSeries>> devices;  ///< by sanitised udid
};

MetricsExporter::Impl::Impl(MetricsExporterOptions o) {
  for (const std::string& id : o.conditionIds) addConditionId(id);
  f.buildInfo.Add({{"version", label(o.version)}, {"revision", label(o.revision)}}).Set(1);
  f.usbmuxdUp.Add({}).Set(0);
  f.alertOutboxDepth.Add({}).Set(0);
  f.workersAbandoned.Add({});
  for (const char* state : {"connected", "disconnected", "unknown"}) {
    f.devices.Add({{"state", state}}).Set(0);
  }
  for (const std::string& c : o.alertChannels) {
    f.alertsSent.Add({{"channel", label(c)}});
    f.alertsFailed.Add({{"channel", label(c)}});
  }
  for (const std::string& feed : o.feeds) f.feedErrors.Add({{"feed", label(feed)}});
  for (const std::string& s : o.appleServices) {
    f.appleServiceActiveEvents.Add({{"service", label(s)}}).Set(0);
  }
}

void MetricsExporter::Impl::addConditionId(const std::string& raw) {
  std::string id = label(raw);
  if (id.empty() || !conditionIdSet.insert(id).second) return;
  conditionIds.push_back(std::move(id));
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
  std::lock_guard lock(impl_->mutex);
  for (const auto& d : view.devices) {
    for (const Condition& c : d.conditions) impl_->addConditionId(c.id);
  }
  std::set<std::string> present;
  for (const auto& d : view.devices) {
    std::string udid = label(d.udid);
    // An empty udid or a second row for the same (sanitised) udid cannot have series of its own.
    if (udid.empty() || !present.insert(udid).second) continue;
    auto& series = impl_->devices[udid];
    if (!series) series = std::make_unique<metrics::DeviceSeries>(impl_->f, udid);
    series->update(d, impl_->conditionIds);
  }
  // Forgotten devices leave the view: their series go with them.
  std::erase_if(impl_->devices, [&](const auto& e) { return !present.count(e.first); });
  impl_->updateDeviceCounts(view);
  impl_->f.usbmuxdUp.Add({}).Set(view.usbmuxdUp ? 1 : 0);
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

void MetricsExporter::feedSucceeded(std::string_view feed, TimePoint at) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.feedLastSuccess.Add({{"feed", label(feed)}}).Set(metrics::unixSeconds(at));
}

void MetricsExporter::feedFailed(std::string_view feed) {
  std::lock_guard lock(impl_->mutex);
  impl_->f.feedErrors.Add({{"feed", label(feed)}}).Increment();
}

std::string MetricsExporter::render() const {
  return prometheus::TextSerializer().Serialize(impl_->locked->Collect());
}

std::shared_ptr<prometheus::Collectable> MetricsExporter::collectable() const {
  return impl_->locked;
}

}  // namespace ibackupmon

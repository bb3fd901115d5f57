// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Keeps the Prometheus metrics in step with the fleet view (the same DeviceStatus rows that
/// `ibackupmonctl status` shows: one source of truth) and with what the alert code reports.
/// Updates come from the app strand and alert threads, scrapes from the HTTP server's render
/// threads; one mutex makes every scrape see whole updates, never half a fleet.

#include <memory>
#include <string>
#include <vector>

#include "alert/feed_observer.h"
#include "core/fleet_observer.h"
#include "core/version.h"
#include "metrics/alert_metrics.h"

namespace ibackupmon {

struct MetricsExporterOptions {
  /// Every condition id diagnosis can produce (lib/diagnosis conditionCatalog()); each device gets
  /// a 0/1 ibackupmon_condition_active series per id. Ids first seen in a view are added too.
  std::vector<std::string> conditionIds;
  /// Exported as 0 from the start, so rate() and absent() work before the first event.
  std::vector<std::string> alertChannels = {std::string(kAlertChannelEmail),
                                            std::string(kAlertChannelAlertmanager)};
  std::vector<std::string> feeds = {std::string(kFeedAppleStatus), std::string(kFeedIosCatalog)};
  std::string version = IBACKUPMON_VERSION;
  std::string revision = buildRevision();
};

/// The only FleetObserver that feeds Prometheus, and the AlertMetrics and FeedObserver
/// implementation.
class MetricsExporter final : public FleetObserver, public AlertMetrics, public FeedObserver {
 public:
  explicit MetricsExporter(MetricsExporterOptions options);
  ~MetricsExporter() override;
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  void onFleetStatus(const FleetView& view) override;
  void onProbeOutcome(const ProbeOutcome& outcome) override;
  void onWorkerAbandoned(const std::string& udid) override;

  void alertSent(std::string_view channel) override;
  void alertFailed(std::string_view channel) override;
  void setOutboxDepth(std::size_t depth) override;
  void setAppleServiceActiveEvents(std::string_view service, std::size_t events) override;
  void feedSucceeded(std::string_view feed, TimePoint at) override { onFeedSuccess(feed, at); }
  void feedFailed(std::string_view feed) override { onFeedError(feed, Error{}); }

  void onFeedSuccess(std::string_view feed, TimePoint at) override;
  void onFeedError(std::string_view feed, const Error& error) override;
  /// Sets the events of every watched service found; services missing from the feed lose their
  /// series (unknown, never 0).
  void onAppleStatus(const AppleStatusReport& report) override;

  /// The text a scrape of /metrics returns (MetricsServer serves it; tests and benchmarks).
  /// Thread-safe: takes the exporter's lock for the length of the rendering.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's Prometheus side: one MetricsExporter (a FleetObserver, the AlertMetrics and the
/// FeedObserver) served at http://<[metrics] listen>/metrics. Comes before the alerts, feeds and
/// monitor components in componentTable(): it registers the exporter in ctx.fleetObservers and
/// publishes it as ctx.alertMetrics and ctx.feedObservers for them.

#include <memory>

#include "app/component.h"
#include "app/metrics_server.h"
#include "metrics/metrics_exporter.h"

namespace ibackupmon {

/// Exporter options for this build: every condition id of the diagnosis catalog.
MetricsExporterOptions metricsExporterOptions();

/// What MetricsServer needs from [metrics].
MetricsServerOptions metricsServerOptions(const MetricsConfig& config);

class MetricsComponent final : public Component {
 public:
  explicit MetricsComponent(AppContext& ctx) : ctx_(ctx) {}
  /// Stops the HTTP server (waiting for a rendering in progress) before the exporter goes.
  ~MetricsComponent() override;
  std::string_view name() const override { return "metrics"; }
  /// Binds [metrics] listen; a bad address or a port in use fails startup with its message.
  Expected<void> start() override;
  /// listen and basic_auth are restart-only keys: nothing changes live.
  void applyConfig(const Config& /*config*/) override {}
  void stop() override {}

  MetricsExporter* exporter() { return exporter_.get(); }

 private:
  AppContext& ctx_;
  std::unique_ptr<MetricsExporter> exporter_;
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace ibackupmon

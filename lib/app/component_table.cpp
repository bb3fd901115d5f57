// SPDX-License-Identifier: Apache-2.0
#include "app/component_table.h"

#include "app/alert_component.h"
#include "app/feeds_component.h"
#include "app/metrics_component.h"
#include "app/monitor_component.h"

namespace ibackupmon {

std::vector<ComponentFactory> componentTable() {
  return {
      // One line per component, in dependency order, e.g.:
      //   [](AppContext& ctx) { return std::make_unique<StoreComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<MetricsComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<AlertsComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<MonitorComponent>(ctx); },
      // metrics: before alerts, feeds and monitor (they use ctx.alertMetrics, ctx.feedObservers,
      // and the monitor takes ctx.fleetObservers as they are when it starts).
      [](AppContext& ctx) { return std::make_unique<MetricsComponent>(ctx); },
      // feeds: after metrics (reports to ctx.feedObservers), before the monitor
      // (ctx.externalFacts).
      [](AppContext& ctx) { return std::make_unique<FeedsComponent>(ctx); },
      // alerts: after metrics (ctx.alertMetrics), before the monitor (joins ctx.fleetObservers).
      [](AppContext& ctx) { return std::make_unique<AlertsComponent>(ctx, ctx.alertMetrics); },
      // monitor: last; opens the store before READY=1 and copies the observers when it starts.
      [](AppContext& ctx) { return std::make_unique<MonitorComponent>(ctx); },
  };
}

}  // namespace ibackupmon

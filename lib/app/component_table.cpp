#include "app/component_table.h"

namespace ibackupmon {

std::vector<ComponentFactory> componentTable() {
  return {
      // One line per component, in dependency order, e.g.:
      //   [](AppContext& ctx) { return std::make_unique<StoreComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<MetricsComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<AlertsComponent>(ctx); },
      //   [](AppContext& ctx) { return std::make_unique<MonitorComponent>(ctx); },
  };
}

}  // namespace ibackupmon

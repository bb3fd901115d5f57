// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Owns the daemon's components: starts them in dependency order, hands them reloaded config,
/// stops and destroys them in reverse. See component.h for how to add one.

#include <memory>
#include <vector>

#include "app/component.h"
#include "app/notifier.h"
#include "config/config.h"

namespace ibackupmon {

class Application {
 public:
  Application(boost::asio::io_context& io, ServiceNotifier& notifier, Config config,
              std::vector<ComponentFactory> table);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  /// Creates and starts each component in table order. On the first failure the components
  /// already started are stopped in reverse and the error (naming the component) is returned.
  Expected<void> start();
  /// Swaps in a newly loaded, valid config. Restart-only keys that changed are logged as
  /// "requires restart" and keep their running values; components then get applyConfig().
  void applyConfig(Config next);
  /// Stops every started component in reverse order. Idempotent.
  void stop();

  const Config& config() const { return config_; }
  std::size_t componentCount() const { return components_.size(); }

 private:
  Config config_;
  AppContext context_;
  std::vector<ComponentFactory> table_;
  std::vector<std::unique_ptr<Component>> components_;
  bool stopped_ = false;
};

}  // namespace ibackupmon

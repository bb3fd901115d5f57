// SPDX-License-Identifier: Apache-2.0
#include "app/application.h"

#include <spdlog/spdlog.h>

#include "config/config_diff.h"

namespace ibackupmon {

Application::Application(boost::asio::io_context& io, ServiceNotifier& notifier, Config config,
                         std::vector<ComponentFactory> table)
    : config_(std::move(config)),
      context_{io, notifier, [this]() -> const Config& { return config_; }},
      table_(std::move(table)) {}

Application::~Application() {
  stop();
  // Reverse of creation: a component may hold pointers to earlier ones (AppContext slots).
  while (!components_.empty()) components_.pop_back();
}

Expected<void> Application::start() {
  for (const auto& factory : table_) {
    auto component = factory(context_);
    const std::string name(component->name());
    spdlog::debug("starting {}", name);
    if (auto started = component->start(); !started) {
      component.reset();  // the newest goes first, as in a normal teardown
      stop();
      return makeError(started.error().code, name + ": " + started.error().message);
    }
    components_.push_back(std::move(component));
  }
  return {};
}

void Application::applyConfig(Config next) {
  for (const auto& change : restartRequiredChanges(config_, next)) {
    spdlog::warn("{} changed from \"{}\" to \"{}\": requires restart; keeping \"{}\" until then",
                 change.key, change.running, change.requested, change.running);
  }
  config_ = withRunningRestartKeys(std::move(next), config_);
  for (const auto& component : components_) component->applyConfig(config_);
}

void Application::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto it = components_.rbegin(); it != components_.rend(); ++it) {
    spdlog::debug("stopping {}", (*it)->name());
    (*it)->stop();
  }
}

}  // namespace ibackupmon

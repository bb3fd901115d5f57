// SPDX-License-Identifier: Apache-2.0
#include "app/application.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "app/control_server.h"
#include "config/config_diff.h"

namespace ibackupmon {

Application::Application(boost::asio::io_context& io, ServiceNotifier& notifier, Config config,
                         std::vector<ComponentFactory> table, ControlSocket control)
    : config_(std::move(config)),
      context_{io, notifier, [this]() -> const Config& { return config_; }},
      controlMode_(control),
      table_(std::move(table)) {
  context_.commands = &commands_;
}

Application::~Application() {
  stop();
  control_.reset();  // no request reaches a handler of a component being destroyed
  // Reverse of creation: a component may hold pointers to earlier ones (AppContext slots).
  while (!components_.empty()) components_.pop_back();
}

Expected<void> Application::start() {
  std::optional<Error> socketProblem;
  if (controlMode_ == ControlSocket::On) {
    control_ = std::make_unique<ControlServer>(
        context_.io, config_.alerts.controlSocket,
        [this](ControlPeer peer, std::string line, ControlReply reply) {
          commands_.dispatch(std::move(line), peer, std::move(reply));
        });
    // A path held by another daemon or by some other file is a configuration mistake worth
    // refusing to start over, before any component starts. A socket that merely cannot be
    // created only disables the commands: the daemon keeps monitoring and alerting.
    if (auto ok = control_->start(); !ok) {
      if (ok.error().code == "control_socket_taken") {
        control_.reset();
        return makeError(ok.error().code, "control: " + ok.error().message);
      }
      socketProblem = ok.error();
    }
  }
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
  if (socketProblem) {
    std::string names;
    for (const auto& c : commands_.commands()) names += (names.empty() ? "" : ", ") + c;
    spdlog::warn("{}; ibackupmonctl {} will not work", socketProblem->message,
                 names.empty() ? std::string("commands") : names);
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
  if (control_) control_->stop();
  for (auto it = components_.rbegin(); it != components_.rend(); ++it) {
    spdlog::debug("stopping {}", (*it)->name());
    (*it)->stop();
  }
}

}  // namespace ibackupmon

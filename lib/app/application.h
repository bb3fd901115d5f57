// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Owns the daemon's components: starts them in dependency order, hands them reloaded config,
/// stops and destroys them in reverse. See component.h for how to add one.
///
/// Also owns the control socket ([alerts] control_socket) and its CommandDispatcher
/// (control_commands.h), published to components as AppContext::commands: each component
/// registers the commands it serves in start(); the socket answers none before every component
/// has started, since the io_context runs only after start() returns.

#include <memory>
#include <vector>

#include "app/component.h"
#include "app/control_commands.h"
#include "app/notifier.h"
#include "config/config.h"

namespace ibackupmon {

class ControlServer;

/// Whether Application listens on [alerts] control_socket. The daemon does; tests of the
/// component lifecycle need no socket.
enum class ControlSocket { Off, On };

class Application {
 public:
  Application(boost::asio::io_context& io, ServiceNotifier& notifier, Config config,
              std::vector<ComponentFactory> table, ControlSocket control = ControlSocket::Off);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  /// Binds the control socket (ControlSocket::On), then creates and starts each component in
  /// table order. A socket path held by another process or by a file that is not a socket is an
  /// error before any component starts; a socket that merely cannot be created is logged and
  /// startup goes on without it. On the first component failure the components already started
  /// are stopped in reverse and the error (naming the component) is returned.
  Expected<void> start();
  /// Swaps in a newly loaded, valid config. Restart-only keys that changed are logged as
  /// "requires restart" and keep their running values; components then get applyConfig().
  void applyConfig(Config next);
  /// Closes the control socket, then stops every started component in reverse order. Idempotent.
  void stop();

  const Config& config() const { return config_; }
  std::size_t componentCount() const { return components_.size(); }
  const CommandDispatcher& commands() const { return commands_; }

 private:
  Config config_;
  CommandDispatcher commands_;  ///< outlives the components, whose handlers it holds
  AppContext context_;
  ControlSocket controlMode_;
  std::unique_ptr<ControlServer> control_;
  std::vector<ComponentFactory> table_;
  std::vector<std::unique_ptr<Component>> components_;
  bool stopped_ = false;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A long-lived part of the daemon (store, monitor, metrics exposer, alerts), run by Application.
///
/// Extension point: implement Component and add one line to componentTable()
/// (lib/app/component_table.cpp), in dependency order:
///
///   class MetricsComponent final : public Component {
///    public:
///     explicit MetricsComponent(AppContext& ctx) : ctx_(ctx) {}
///     std::string_view name() const override { return "metrics"; }
///     Expected<void> start() override { /* bind ctx_.config().metrics.listen */ return {}; }
///     void applyConfig(const Config& c) override { /* take what may change live */ }
///     void stop() override { /* cancel timers, close sockets: no pending work left */ }
///    private:
///     AppContext& ctx_;
///   };
///
/// Components are created and started one after another, so a factory can use what an earlier
/// component published in AppContext (e.g. the Store opened by the store component); they are
/// stopped and destroyed in reverse order.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "app/asio.h"
#include "config/config.h"
#include "core/error.h"

namespace ibackupmon {

class AlertMetrics;
class CommandDispatcher;
class ExternalFactsProvider;
class FeedObserver;
class FleetObserver;
class ServiceNotifier;
class Store;

/// What components share: the loop, the live config, the notifier, and services published by
/// earlier components for later ones. Add a slot here when a component publishes something.
struct AppContext {
  boost::asio::io_context& io;
  ServiceNotifier& notifier;
  /// The running configuration; after a reload it already holds the new values.
  std::function<const Config&()> config;
  /// Set by the store component in start(); later components may use it.
  Store* store = nullptr;
  /// Consumers of fleet changes (metrics, alerts) register here before the monitor starts.
  std::vector<FleetObserver*> fleetObservers;
  /// Set by the metrics component: where alert delivery counts go (nullptr: nowhere).
  AlertMetrics* alertMetrics = nullptr;
  /// Consumers of feed results (the metrics exporter); the feeds component hands them on.
  std::vector<FeedObserver*> feedObservers;
  /// Set by the feeds component: outside facts (Apple status, iOS catalog) for the diagnosis.
  ExternalFactsProvider* externalFacts = nullptr;
  /// Set by Application: components register the control-socket commands they serve here, in
  /// start() (control_commands.h).
  CommandDispatcher* commands = nullptr;
};

class Component {
 public:
  virtual ~Component() = default;
  /// Short name for log lines ("store", "monitor").
  virtual std::string_view name() const = 0;
  /// Acquires resources. Called once, before READY=1; an error aborts startup with its message
  /// and a non-zero exit.
  virtual Expected<void> start() = 0;
  /// A reload produced a new valid config (restart-only keys keep their running values).
  virtual void applyConfig(const Config& config) = 0;
  /// Shutdown: cancel pending asynchronous work so io_context::run() can return. Must not block.
  virtual void stop() = 0;
};

using ComponentFactory = std::function<std::unique_ptr<Component>(AppContext&)>;

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/monitor_component.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "device/lockdown_connector.h"
#include "store/store.h"

namespace ibackupmon {

UsbmuxdPingOptions usbmuxdPingOptions(const Config& config) {
  using std::chrono::milliseconds;
  UsbmuxdPingOptions o;
  o.interval =
      std::max(std::chrono::duration_cast<milliseconds>(config.probe.interval), milliseconds(1000));
  o.deadline = std::clamp(o.interval / 2, milliseconds(500), milliseconds(5000));
  return o;
}

MonitorComponent::~MonitorComponent() {
  stop();
  pingWatch_.reset();
  watcher_.reset();
  events_.reset();  // unsubscribes (joins libusbmuxd's event thread)
  monitor_.reset();
  actions_.reset();
  if (ownStore_ && ctx_.store == ownStore_.get()) ctx_.store = nullptr;
  ownStore_.reset();
}

Expected<void> MonitorComponent::start() {
  const Config& config = ctx_.config();
  if (ctx_.store == nullptr) {
    // No store component ran before us: open the database here, still before READY=1, and
    // publish it for the components after us.
    auto opened = Store::open(config.storage.path, OpenMode::ReadWrite, kDaemonBusyTimeout);
    if (!opened) return tl::unexpected(opened.error());
    ownStore_ = std::move(*opened);
    ctx_.store = ownStore_.get();
  }
  auto actions = ActionRepository::open(config.storage.path, kDaemonBusyTimeout);
  if (!actions) return tl::unexpected(actions.error());
  actions_.emplace(std::move(*actions));
  monitor_ = std::make_unique<Monitor>(
      MonitorDeps{ctx_.io, *ctx_.store, std::make_shared<LockdownConnector>(),
                  std::make_shared<SystemClock>(), ctx_.fleetObservers, ctx_.externalFacts, nullptr,
                  &*actions_},
      config);
  if (auto started = monitor_->start(); !started) return started;
  if (ctx_.commands != nullptr) {
    // Acting on a device is root's alone; every other peer is refused with the reason.
    for (const char* name : {"act", "remediation"}) {
      auto ok =
          ctx_.commands->add(name, ControlAccess::RootOnly,
                             [monitor = monitor_.get()](ControlRequest r, ControlReply reply) {
                               monitor->handleControl(std::move(r), std::move(reply));
                             });
      if (!ok) return ok;
    }
  }
  events_ = std::make_unique<UsbmuxdEvents>();
  if (!events_->subscribed()) {
    spdlog::warn("usbmuxd event subscription failed; attach/detach seen by polling only");
  }
  WatcherOptions options;
  options.networkDevices = config.probe.networkDevices;
  watcher_ = std::make_unique<DeviceWatcher>(*events_, std::make_shared<UsbmuxdLister>(), *monitor_,
                                             options);
  pingWatch_ = std::make_unique<UsbmuxdPingWatch>(
      usbmuxdPingOptions(config),
      [monitor = monitor_.get()](const UsbmuxdPing& ping) { monitor->onUsbmuxdPing(ping); });
  return {};
}

void MonitorComponent::applyConfig(const Config& config) {
  if (monitor_) monitor_->applyConfig(config);
  if (watcher_) watcher_->setNetworkDevices(config.probe.networkDevices);
  if (pingWatch_) pingWatch_->setOptions(usbmuxdPingOptions(config));
}

void MonitorComponent::stop() {
  if (pingWatch_) pingWatch_->stop();
  if (watcher_) watcher_->stop();
  if (monitor_) monitor_->stop();
}

}  // namespace ibackupmon

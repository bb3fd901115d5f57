// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's device watching: usbmuxd events -> Monitor (probes, diagnosis, store) ->
/// the FleetObservers registered by earlier components. Uses the Store an earlier component
/// published in AppContext, else opens config.storage.path itself (before READY=1).

#include <memory>
#include <optional>

#include "app/component.h"
#include "app/monitor.h"
#include "device/device_watcher.h"
#include "device/usbmuxd_ping.h"
#include "store/action_repository.h"
#include "store/store.h"

namespace ibackupmon {

class MonitorComponent final : public Component {
 public:
  explicit MonitorComponent(AppContext& ctx) : ctx_(ctx) {}
  ~MonitorComponent() override;
  std::string_view name() const override { return "monitor"; }
  /// Loads histories from the store, subscribes to usbmuxd and starts watching. Serves the
  /// control commands `act` and `remediation` (root only).
  Expected<void> start() override;
  void applyConfig(const Config& config) override;
  void stop() override;

 private:
  AppContext& ctx_;
  std::unique_ptr<Store> ownStore_;          // only when no store component published one
  std::optional<ActionRepository> actions_;  // remediation's audit trail, its own connection
  std::unique_ptr<Monitor> monitor_;
  std::unique_ptr<UsbmuxdEvents> events_;  // the process's one usbmuxd subscription
  std::unique_ptr<DeviceWatcher> watcher_;
  std::unique_ptr<UsbmuxdPingWatch> pingWatch_;  // tells a wedged usbmuxd from an absent one
};

/// The wedge watch pings every probe interval with half of it (0.5..5 s) as the deadline.
UsbmuxdPingOptions usbmuxdPingOptions(const Config& config);

}  // namespace ibackupmon

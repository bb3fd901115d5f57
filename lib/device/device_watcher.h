// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Which devices are attached, and whether usbmuxd is there at all. Events give speed, a
/// periodic ListDevices gives truth: after usbmuxd goes away (Debian's udev rule stops it when the
/// last device leaves) the watcher marks everything detached, retries with backoff forever, and
/// re-lists when usbmuxd is back, whatever libusbmuxd's own event thread managed to see. A restart
/// that falls entirely between two lists shows as every device listed under a new DeviceID, and
/// is reported as an outage all the same.

#include <chrono>
#include <memory>

#include "device/usbmuxd_events.h"

namespace ibackupmon {

/// Receives watcher news on the watcher's threads; implementations only hand off (post).
class WatcherListener {
 public:
  virtual ~WatcherListener() = default;
  virtual void onAttached(const DeviceRef& device) = 0;
  virtual void onDetached(const DeviceRef& device) = 0;
  virtual void onUsbmuxd(bool up) = 0;
};

struct WatcherOptions {
  bool networkDevices = false;                      ///< also report Wi-Fi sync devices
  std::chrono::milliseconds pollInterval{5000};     ///< ListDevices while usbmuxd is up
  std::chrono::milliseconds retryMin{250};          ///< first retry after usbmuxd went away
  std::chrono::milliseconds retryMax{10000};        ///< backoff cap while it stays away
  std::chrono::milliseconds confirmInterval{1000};  ///< re-list after one showed new DeviceIDs
};

class DeviceWatcher {
 public:
  /// Starts watching at once; the listener must outlive the watcher (stop() detaches it).
  DeviceWatcher(DeviceEventSource& events, std::shared_ptr<DeviceLister> lister,
                WatcherListener& listener, WatcherOptions options);
  ~DeviceWatcher();
  DeviceWatcher(const DeviceWatcher&) = delete;
  DeviceWatcher& operator=(const DeviceWatcher&) = delete;

  /// Stops delivering; returns within about a second even if a ListDevices call hangs.
  void stop();
  /// Re-list now (e.g. after a config reload changed networkDevices).
  void setNetworkDevices(bool on);

  struct State;

 private:
  DeviceEventSource& events_;
  std::shared_ptr<State> state_;
};

}  // namespace ibackupmon

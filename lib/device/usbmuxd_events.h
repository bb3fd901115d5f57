// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The process-wide usbmuxd event subscription of libimobiledevice, wrapped once.
/// idevice_event_subscribe keeps a single callback per process: construct exactly one
/// UsbmuxdEvents (in main, next to the other long-lived services) and pass it by reference.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "device/device_session.h"

namespace ibackupmon {

enum class DeviceEventType { Added, Removed };

struct DeviceEvent {
  DeviceEventType type = DeviceEventType::Added;
  DeviceRef device;
};

/// Where device events come from: UsbmuxdEvents in production, a fake in unit tests.
class DeviceEventSource {
 public:
  using Handler = std::function<void(const DeviceEvent&)>;
  virtual ~DeviceEventSource() = default;
  /// Replaces the handler (empty: drop events). Called on the source's own thread.
  virtual void setHandler(Handler handler) = 0;
};

class UsbmuxdEvents final : public DeviceEventSource {
 public:
  /// Subscribes. Throws std::logic_error when another instance exists (the C API allows one).
  /// When USBMUXD_SOCKET_ADDRESS names a UNIX socket other than /var/run/usbmuxd, libusbmuxd's
  /// inotify wait would watch the wrong file after a usbmuxd restart, so it is switched off.
  UsbmuxdEvents();
  ~UsbmuxdEvents() override;
  UsbmuxdEvents(const UsbmuxdEvents&) = delete;
  UsbmuxdEvents& operator=(const UsbmuxdEvents&) = delete;

  void setHandler(Handler handler) override;
  /// False when idevice_event_subscribe failed (events then come only from list polling).
  bool subscribed() const { return subscribed_; }

  /// Delivers one event to the handler; the C callback's trampoline target.
  void dispatch(const DeviceEvent& event);

  /// What the C callback points at. Separate from the object because, when libusbmuxd's event
  /// thread cannot be stopped, it is left behind for that thread instead of being freed.
  struct Target {
    std::mutex mutex;
    Handler handler;
  };

 private:
  std::unique_ptr<Target> target_ = std::make_unique<Target>();
  bool subscribed_ = false;
};

/// Lists attached devices (usbmuxd ListDevices on its own connection).
class DeviceLister {
 public:
  virtual ~DeviceLister() = default;
  /// Error "usbmuxd_unavailable" when usbmuxd cannot be reached.
  virtual Expected<std::vector<DeviceRef>> list() = 0;
};

class UsbmuxdLister final : public DeviceLister {
 public:
  Expected<std::vector<DeviceRef>> list() override;
};

}  // namespace ibackupmon

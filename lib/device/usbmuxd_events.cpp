// SPDX-License-Identifier: Apache-2.0
#include "device/usbmuxd_events.h"

#include <libimobiledevice/libimobiledevice.h>
#include <usbmuxd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "core/sanitize.h"

namespace ibackupmon {
namespace {

// The C API forces this much global state: it has one callback slot per process.
std::atomic<bool> gInstanceExists{
    false};  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

void trampoline(const idevice_event_t* event, void* userData) {
  if (event == nullptr || event->udid == nullptr || userData == nullptr) return;
  DeviceEvent e;
  if (event->event == IDEVICE_DEVICE_ADD) {
    e.type = DeviceEventType::Added;
  } else if (event->event == IDEVICE_DEVICE_REMOVE) {
    e.type = DeviceEventType::Removed;
  } else {
    return;  // PAIRED: the next probe sees the new trust state anyway
  }
  e.device.udid = sanitizeDeviceString(event->udid);
  e.device.network = event->conn_type == CONNECTION_NETWORK;
  auto* target = static_cast<UsbmuxdEvents::Target*>(userData);
  std::lock_guard lock(target->mutex);
  if (target->handler) target->handler(e);
}

// libusbmuxd 2.0.2 cancels its event thread and joins it. With usbmuxd absent and inotify off, a
// thread that wakes between the last listener's removal and the cancel spins in its connect loop,
// which has no cancellation point left, and the join never returns. Wait a bounded time: a
// process that is shutting down does not need that thread gone.
constexpr auto kUnsubscribeWait = std::chrono::seconds(2);

bool unsubscribeWithin(std::chrono::milliseconds wait) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  std::thread([done] {
    idevice_event_unsubscribe();
    done->set_value();
  }).detach();
  return finished.wait_for(wait) == std::future_status::ready;
}

// Targets left to a stuck event thread stay reachable (not a leak report) and are never freed.
std::atomic<UsbmuxdEvents::Target*>
    gAbandoned{};  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

bool inotifyWouldWatchWrongFile() {
  const char* addr = std::getenv("USBMUXD_SOCKET_ADDRESS");  // NOLINT(concurrency-mt-unsafe)
  if (addr == nullptr) return false;
  const std::string_view a(addr);
  return a.substr(0, 5) == "UNIX:" && a.substr(5) != "/var/run/usbmuxd";
}

}  // namespace

UsbmuxdEvents::UsbmuxdEvents() {
  if (gInstanceExists.exchange(true)) {
    throw std::logic_error("UsbmuxdEvents: only one instance per process (libimobiledevice limit)");
  }
  if (inotifyWouldWatchWrongFile()) libusbmuxd_set_use_inotify(0);
  subscribed_ = idevice_event_subscribe(&trampoline, target_.get()) == IDEVICE_E_SUCCESS;
}

UsbmuxdEvents::~UsbmuxdEvents() {
  setHandler(nullptr);  // from here on, events reach no one
  if (subscribed_ && !unsubscribeWithin(kUnsubscribeWait)) {
    // The subscription is not released: a second instance in this process would get no thread.
    gAbandoned = target_.release();
    return;
  }
  gInstanceExists = false;
}

void UsbmuxdEvents::setHandler(Handler handler) {
  std::lock_guard lock(target_->mutex);
  target_->handler = std::move(handler);
}

void UsbmuxdEvents::dispatch(const DeviceEvent& event) {
  std::lock_guard lock(target_->mutex);
  if (target_->handler) target_->handler(event);
}

// usbmuxd's own list, for the DeviceIDs (libimobiledevice's device list leaves them out).
Expected<std::vector<DeviceRef>> UsbmuxdLister::list() {
  usbmuxd_device_info_t* devices = nullptr;
  const int count = usbmuxd_get_device_list(&devices);
  if (count < 0) {
    return makeError("usbmuxd_unavailable", "usbmuxd did not answer ListDevices");
  }
  std::vector<DeviceRef> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count && devices != nullptr; ++i) {
    const auto& d = devices[i];
    const std::string_view udid(d.udid, strnlen(d.udid, sizeof(d.udid)));
    if (udid.empty()) continue;
    out.push_back(
        DeviceRef{sanitizeDeviceString(udid), d.handle, d.conn_type == CONNECTION_TYPE_NETWORK});
  }
  usbmuxd_device_list_free(&devices);
  return out;
}

}  // namespace ibackupmon

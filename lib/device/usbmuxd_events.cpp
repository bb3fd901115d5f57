#include "device/usbmuxd_events.h"

#include <libimobiledevice/libimobiledevice.h>
#include <usbmuxd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

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
  static_cast<UsbmuxdEvents*>(userData)->dispatch(e);
}

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
  subscribed_ = idevice_event_subscribe(&trampoline, this) == IDEVICE_E_SUCCESS;
}

UsbmuxdEvents::~UsbmuxdEvents() {
  if (subscribed_) idevice_event_unsubscribe();  // joins libusbmuxd's event thread
  gInstanceExists = false;
}

void UsbmuxdEvents::setHandler(Handler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

void UsbmuxdEvents::dispatch(const DeviceEvent& event) {
  std::lock_guard lock(mutex_);
  if (handler_) handler_(event);
}

Expected<std::vector<DeviceRef>> UsbmuxdLister::list() {
  idevice_info_t* devices = nullptr;
  int count = 0;
  if (idevice_get_device_list_extended(&devices, &count) != IDEVICE_E_SUCCESS) {
    return makeError("usbmuxd_unavailable", "usbmuxd did not answer ListDevices");
  }
  std::vector<DeviceRef> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    if (devices[i] == nullptr || devices[i]->udid == nullptr) continue;
    out.push_back(DeviceRef{sanitizeDeviceString(devices[i]->udid), 0,
                            devices[i]->conn_type == CONNECTION_NETWORK});
  }
  idevice_device_list_extended_free(devices);
  return out;
}

}  // namespace ibackupmon

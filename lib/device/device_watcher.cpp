// SPDX-License-Identifier: Apache-2.0
#include "device/device_watcher.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace ibackupmon {

// Shared with the poll thread, which is detached so that a ListDevices call stuck in libusbmuxd
// can never hold up shutdown; it only ever touches this state.
struct DeviceWatcher::State {
  std::mutex mutex;
  std::condition_variable wake;
  WatcherListener* listener = nullptr;  // null after stop()
  std::shared_ptr<DeviceLister> lister;
  WatcherOptions options;
  std::map<std::string, DeviceRef> attached;
  bool usbmuxdUp = false;
  bool knownState = false;  // usbmuxdUp has been reported at least once
  bool stopping = false;
  bool relistNow = false;
  bool threadDone = false;
  std::condition_variable done;

  bool wanted(const DeviceRef& d) const { return options.networkDevices || !d.network; }

  void onEvent(const DeviceEvent& e) {
    std::lock_guard lock(mutex);
    if (listener == nullptr || !wanted(e.device)) return;
    auto it = attached.find(e.device.udid);
    if (e.type == DeviceEventType::Added) {
      if (it != attached.end()) return;  // seen via the other transport or the list already
      attached.emplace(e.device.udid, e.device);
      listener->onAttached(e.device);
      if (!usbmuxdUp) {  // libusbmuxd reconnected before our next ListDevices: confirm now
        relistNow = true;
        wake.notify_all();
      }
    } else {
      if (it == attached.end() || it->second.network != e.device.network) return;
      const DeviceRef gone = it->second;
      attached.erase(it);
      listener->onDetached(gone);
      relistNow = true;  // a burst of removes often means usbmuxd itself went away
      wake.notify_all();
    }
  }

  // Applies one ListDevices result (or its failure); called with the mutex held.
  void apply(const Expected<std::vector<DeviceRef>>& listed) {
    if (listener == nullptr) return;
    if (!listed) {
      for (const auto& [udid, d] : attached) listener->onDetached(d);
      attached.clear();
      if (usbmuxdUp || !knownState) listener->onUsbmuxd(false);
      usbmuxdUp = false;
      knownState = true;
      return;
    }
    if (!usbmuxdUp || !knownState) listener->onUsbmuxd(true);
    usbmuxdUp = knownState = true;
    std::map<std::string, DeviceRef> now;
    for (const auto& d : *listed) {
      if (!wanted(d)) continue;
      auto [it, inserted] = now.emplace(d.udid, d);
      if (!inserted && it->second.network && !d.network) it->second = d;  // prefer USB
    }
    for (auto it = attached.begin(); it != attached.end();) {
      if (now.count(it->first) == 0) {
        listener->onDetached(it->second);
        it = attached.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [udid, d] : now) {
      if (attached.emplace(udid, d).second) listener->onAttached(d);
    }
  }

  static void run(const std::shared_ptr<State>& self) {
    auto backoff = self->options.retryMin;
    std::unique_lock lock(self->mutex);
    while (!self->stopping) {
      auto lister = self->lister;
      lock.unlock();
      auto listed = lister->list();
      lock.lock();
      if (self->stopping) break;
      self->apply(listed);
      const auto wait = listed ? self->options.pollInterval : backoff;
      backoff = listed ? self->options.retryMin : std::min(backoff * 2, self->options.retryMax);
      self->relistNow = false;
      self->wake.wait_for(lock, wait, [&] { return self->stopping || self->relistNow; });
    }
    self->threadDone = true;
    self->done.notify_all();
  }
};

DeviceWatcher::DeviceWatcher(DeviceEventSource& events, std::shared_ptr<DeviceLister> lister,
                             WatcherListener& listener, WatcherOptions options)
    : events_(events), state_(std::make_shared<State>()) {
  state_->listener = &listener;
  state_->lister = std::move(lister);
  state_->options = options;
  std::weak_ptr<State> weak = state_;
  events_.setHandler([weak](const DeviceEvent& e) {
    if (auto s = weak.lock()) s->onEvent(e);
  });
  std::thread([s = state_] { State::run(s); }).detach();
}

DeviceWatcher::~DeviceWatcher() {
  stop();
}

void DeviceWatcher::stop() {
  events_.setHandler(nullptr);
  std::unique_lock lock(state_->mutex);
  state_->stopping = true;
  state_->listener = nullptr;
  state_->wake.notify_all();
  state_->done.wait_for(lock, std::chrono::seconds(1), [&] { return state_->threadDone; });
}

void DeviceWatcher::setNetworkDevices(bool on) {
  std::lock_guard lock(state_->mutex);
  state_->options.networkDevices = on;
  state_->relistNow = true;
  state_->wake.notify_all();
}

}  // namespace ibackupmon

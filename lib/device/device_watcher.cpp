// SPDX-License-Identifier: Apache-2.0
#include "device/device_watcher.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

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
  // Bumped whenever an event changes `attached`: a list fetched meanwhile may predate the change.
  std::uint64_t eventChanges = 0;
  // The eventChanges value of each device's last event, kept while a list may predate it.
  std::map<std::string, std::uint64_t> lastEvent;
  // The last list showed held devices under new DeviceIDs; the next one (soon) decides.
  bool renumberSuspected = false;

  bool wanted(const DeviceRef& d) const { return options.networkDevices || !d.network; }

  void onEvent(const DeviceEvent& e) {
    std::lock_guard lock(mutex);
    if (listener == nullptr || !wanted(e.device)) return;
    auto it = attached.find(e.device.udid);
    spdlog::debug("watcher: event {} {}{}", e.type == DeviceEventType::Added ? "added" : "removed",
                  e.device.udid, e.device.network ? " (network)" : "");
    if (e.type == DeviceEventType::Added) {
      if (it != attached.end()) return;  // seen via the other transport or the list already
      attached.emplace(e.device.udid, e.device);  // DeviceID unknown (0) until the next list
      lastEvent[e.device.udid] = ++eventChanges;
      listener->onAttached(e.device);
      if (!usbmuxdUp) {  // libusbmuxd reconnected before our next ListDevices: confirm now
        relistNow = true;
        wake.notify_all();
      }
    } else {
      if (it == attached.end() || it->second.network != e.device.network) return;
      const DeviceRef gone = it->second;
      attached.erase(it);
      lastEvent[gone.udid] = ++eventChanges;
      listener->onDetached(gone);
      relistNow = true;  // a burst of removes often means usbmuxd itself went away
      wake.notify_all();
    }
  }

  // Applies one ListDevices result (or its failure); called with the mutex held. `listStart`: the
  // eventChanges value when the list was asked for. A device with an event since then is left as
  // that event said: the list may predate it (a cart's devices attach while a list is under way;
  // dropping them until the next list would record a false detach and a new session).
  void apply(const Expected<std::vector<DeviceRef>>& listed, std::uint64_t listStart) {
    if (listener == nullptr) return;
    const bool raced = eventChanges != listStart;
    auto newerThanList = [&](const std::string& udid) {
      auto it = lastEvent.find(udid);
      return it != lastEvent.end() && it->second > listStart;
    };
    std::erase_if(lastEvent, [&](const auto& entry) { return entry.second <= listStart; });
    if (!listed) {
      for (const auto& [udid, d] : attached) listener->onDetached(d);
      attached.clear();
      if (usbmuxdUp || !knownState) listener->onUsbmuxd(false);
      usbmuxdUp = false;
      knownState = true;
      renumberSuspected = false;
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
    if (!raced) reattachRenumbered(now);
    for (auto it = attached.begin(); it != attached.end();) {
      if (now.count(it->first) == 0 && !newerThanList(it->first)) {
        listener->onDetached(it->second);
        it = attached.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [udid, d] : now) {
      if (!newerThanList(udid) && attached.emplace(udid, d).second) listener->onAttached(d);
    }
  }

  // usbmuxd gives a device a new, higher DeviceID when it re-attaches and numbers every device
  // anew when it restarts. libusbmuxd's event thread reports neither while it is not connected,
  // which is the case for up to a second after usbmuxd comes back: a restart that begins in that
  // window and ends before the next list leaves the same UDIDs under new DeviceIDs and nothing
  // else. One list showing that may still be overtaken by events on their way, so a second list a
  // moment later decides: every held device renumbered, or one renumbered downwards, is a usbmuxd
  // restart (reported as an outage); otherwise the renumbered devices were re-attached. Held
  // devices whose DeviceID is unknown (attached by an event) take the listed one.
  void reattachRenumbered(const std::map<std::string, DeviceRef>& now) {
    std::vector<std::string> moved;
    std::size_t kept = 0;
    bool lower = false;  // usbmuxd's DeviceIDs only grow while it runs
    for (auto& [udid, held] : attached) {
      auto it = now.find(udid);
      if (it == now.end() || it->second.network != held.network || it->second.handle == 0) {
        continue;
      }
      if (held.handle == 0) held.handle = it->second.handle;
      if (held.handle == it->second.handle) {
        ++kept;
      } else {
        moved.push_back(udid);
        lower = lower || it->second.handle < held.handle;
      }
    }
    if (moved.empty() || !renumberSuspected) {
      renumberSuspected = !moved.empty();
      if (renumberSuspected) {
        spdlog::debug("watcher: {} of {} devices listed under new DeviceIDs; re-listing to confirm",
                      moved.size(), moved.size() + kept);
      }
      return;
    }
    renumberSuspected = false;
    if (kept == 0 || lower) {
      spdlog::info("watcher: {} of {} devices listed under new DeviceIDs: usbmuxd restarted",
                   moved.size(), moved.size() + kept);
      for (const auto& [udid, d] : attached) listener->onDetached(d);
      attached.clear();
      listener->onUsbmuxd(false);
      listener->onUsbmuxd(true);
      return;  // the caller attaches every listed device
    }
    for (const auto& udid : moved) {
      spdlog::debug("watcher: {} is listed under a new DeviceID: re-attached", udid);
      listener->onDetached(attached.at(udid));
      attached.erase(udid);
    }
  }

  static void run(const std::shared_ptr<State>& self) {
    auto backoff = self->options.retryMin;
    std::unique_lock lock(self->mutex);
    while (!self->stopping) {
      auto lister = self->lister;
      self->relistNow = false;  // a request made while this list is under way gets its own list
      const auto changesBefore = self->eventChanges;
      lock.unlock();
      auto listed = lister->list();
      lock.lock();
      if (self->stopping) break;
      if (listed) {
        spdlog::debug("watcher: ListDevices: {} devices", listed->size());
      } else {
        spdlog::debug("watcher: ListDevices failed: {}", listed.error().message);
      }
      self->apply(listed, changesBefore);
      auto wait = listed ? self->options.pollInterval : backoff;
      if (self->renumberSuspected) wait = self->options.confirmInterval;
      backoff = listed ? self->options.retryMin : std::min(backoff * 2, self->options.retryMax);
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

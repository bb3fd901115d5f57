// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Internal to the Monitor: what it keeps per device, and the channel workers report through.

#include <functional>
#include <map>
#include <mutex>

#include "app/monitor.h"

namespace ibackupmon {

struct Monitor::Entry {
  std::string udid;
  DeviceRef ref;
  bool attached = false;
  bool dropAfterCycle = false;  // excluded while a cycle was in flight
  bool pendingName = false;     // the filter needs DeviceName: probed, not yet recorded
  DeviceHistory history;
  std::optional<DeviceSnapshot> latest;  // newest cycle of this run
  std::optional<DeviceStatus> status;
  std::chrono::steady_clock::time_point nextProbe{};
  int backoffLevel = 0;
  std::uint64_t cycle = 0;    // in flight (0: none)
  std::uint64_t poolJob = 0;  // the pool's id for it
  bool abandoned = false;     // its worker was written off; waiting for it to come back
  std::chrono::steady_clock::time_point dispatchedAt{};  // when the cycle in flight began
  std::unique_ptr<boost::asio::steady_timer> timeout;
  // "domain key" -> when an unusable value of it was last logged (one warning per hour and key).
  std::map<std::string, std::chrono::steady_clock::time_point> invalidLogged;
};

/// Workers hand results over here; after close() nothing reaches the (maybe destroyed) Monitor.
struct Monitor::ResultSink {
  using Deliver = std::function<void(std::string, std::uint64_t, DeviceSnapshot)>;
  std::mutex mutex;
  Deliver deliver;

  void send(std::string udid, std::uint64_t cycle, DeviceSnapshot snap) {
    std::lock_guard lock(mutex);
    if (deliver) deliver(std::move(udid), cycle, std::move(snap));
  }
  void close() {
    std::lock_guard lock(mutex);
    deliver = nullptr;
  }
};

}  // namespace ibackupmon

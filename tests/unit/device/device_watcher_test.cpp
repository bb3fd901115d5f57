// SPDX-License-Identifier: Apache-2.0
#include "device/device_watcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

class FakeSource final : public DeviceEventSource {
 public:
  void setHandler(Handler h) override {
    std::lock_guard l(m);
    handler = std::move(h);
  }
  void emit(DeviceEventType t, DeviceRef d) {
    std::lock_guard l(m);
    if (handler) handler(DeviceEvent{t, std::move(d)});
  }
  std::mutex m;
  Handler handler;
};

class FakeLister final : public DeviceLister {
 public:
  Expected<std::vector<DeviceRef>> list() override {
    std::lock_guard l(m);
    ++calls;
    if (!up) return makeError("usbmuxd_unavailable", "down");
    return devices;
  }
  void set(bool isUp, std::vector<DeviceRef> d = {}) {
    std::lock_guard l(m);
    up = isUp;
    devices = std::move(d);
  }
  std::mutex m;
  bool up = true;
  int calls = 0;
  std::vector<DeviceRef> devices;
};

class Recorder final : public WatcherListener {
 public:
  void onAttached(const DeviceRef& d) override { add("+" + d.udid); }
  void onDetached(const DeviceRef& d) override { add("-" + d.udid); }
  void onUsbmuxd(bool up) override { add(up ? "up" : "down"); }
  void add(std::string s) {
    std::lock_guard l(m);
    log.push_back(std::move(s));
    cv.notify_all();
  }
  // Waits (with a deadline) until the log has n entries; returns a copy.
  std::vector<std::string> waitFor(std::size_t n) {
    std::unique_lock l(m);
    cv.wait_for(l, 5s, [&] { return log.size() >= n; });
    return log;
  }
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> log;
};

WatcherOptions fast() {
  return WatcherOptions{false, 20ms, 5ms, 20ms};
}

TEST(DeviceWatcher, InitialListThenEvents) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"A", 0, false}, DeviceRef{"N", 0, true}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 10s, 5ms, 20ms});
  EXPECT_EQ(rec.waitFor(2), (std::vector<std::string>{"up", "+A"}));  // network device ignored
  // The lister is usbmuxd's truth too: a re-list racing the events must agree with them.
  lister->set(true, {DeviceRef{"B", 0, false}, DeviceRef{"N", 0, true}});
  src.emit(DeviceEventType::Added, DeviceRef{"B", 0, false});
  src.emit(DeviceEventType::Added, DeviceRef{"B", 0, false});  // duplicate: no second attach
  src.emit(DeviceEventType::Removed, DeviceRef{"A", 0, false});
  auto log = rec.waitFor(4);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ((std::vector<std::string>{log[0], log[1]}), (std::vector<std::string>{"up", "+A"}));
  std::sort(log.begin() + 2, log.end());
  EXPECT_EQ((std::vector<std::string>{log[2], log[3]}), (std::vector<std::string>{"+B", "-A"}));
}

TEST(DeviceWatcher, UsbmuxdGoesAwayAndComesBackForever) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"A", 0, false}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, fast());
  rec.waitFor(2);
  for (int round = 0; round < 3; ++round) {
    lister->set(false);
    src.emit(DeviceEventType::Removed, DeviceRef{"A", 0, false});  // libusbmuxd's farewell
    auto log = rec.waitFor(4 + 4 * round);
    EXPECT_EQ(log[2 + 4 * round], "-A");
    EXPECT_EQ(log[3 + 4 * round], "down");
    lister->set(true, {DeviceRef{"A", 0, false}});  // no event: only the list sees it back
    log = rec.waitFor(6 + 4 * round);
    EXPECT_EQ(log[4 + 4 * round], "up");
    EXPECT_EQ(log[5 + 4 * round], "+A");
  }
}

TEST(DeviceWatcher, StartsWithUsbmuxdAbsent) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(false);
  Recorder rec;
  DeviceWatcher w(src, lister, rec, fast());
  EXPECT_EQ(rec.waitFor(1), (std::vector<std::string>{"down"}));
  lister->set(true, {DeviceRef{"Z", 0, false}});
  EXPECT_EQ(rec.waitFor(3), (std::vector<std::string>{"down", "up", "+Z"}));
}

TEST(DeviceWatcher, NetworkDevicesOnlyWhenEnabled) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"N", 0, true}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, fast());
  rec.waitFor(1);
  w.setNetworkDevices(true);
  EXPECT_EQ(rec.waitFor(2), (std::vector<std::string>{"up", "+N"}));
  w.setNetworkDevices(false);
  EXPECT_EQ(rec.waitFor(3), (std::vector<std::string>{"up", "+N", "-N"}));
}

TEST(DeviceWatcher, StopReturnsWhileAListCallHangs) {
  class HangingLister final : public DeviceLister {
   public:
    Expected<std::vector<DeviceRef>> list() override {
      std::this_thread::sleep_for(3s);  // stands for a libusbmuxd call that does not return
      return std::vector<DeviceRef>{};
    }
  };
  FakeSource src;
  Recorder rec;
  const auto start = std::chrono::steady_clock::now();
  { DeviceWatcher w(src, std::make_shared<HangingLister>(), rec, fast()); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(rec.log.empty());
}

}  // namespace
}  // namespace ibackupmon

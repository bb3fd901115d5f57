// SPDX-License-Identifier: Apache-2.0
#include "device/device_watcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
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

// Answers each list with `devices` as they were when the call began, after running the hook set
// for that call (beforeCall[n], n counting from 1): events a hook emits land while the list is
// under way.
class HookLister final : public DeviceLister {
 public:
  Expected<std::vector<DeviceRef>> list() override {
    std::function<void()> hook;
    std::vector<DeviceRef> answer;
    {
      std::lock_guard l(m);
      ++calls;
      std::swap(hook, beforeCall[calls]);
      answer = devices;
    }
    if (hook) hook();
    return answer;
  }
  std::mutex m;
  int calls = 0;
  std::map<int, std::function<void()>> beforeCall;
  std::vector<DeviceRef> devices{DeviceRef{"A", 1, false}};
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

// usbmuxd restarted between two lists while libusbmuxd's event thread was reconnecting: no event,
// no failed list, only every device under a new DeviceID. That is an outage all the same.
TEST(DeviceWatcher, RestartBetweenTwoListsIsAnOutage) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"A", 1, false}, DeviceRef{"B", 2, false}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 20ms, 5ms, 20ms, 20ms});
  ASSERT_EQ(rec.waitFor(3), (std::vector<std::string>{"up", "+A", "+B"}));
  lister->set(true, {DeviceRef{"A", 3, false}, DeviceRef{"B", 4, false}});
  EXPECT_EQ(rec.waitFor(9),
            (std::vector<std::string>{"up", "+A", "+B", "-A", "-B", "down", "up", "+A", "+B"}));
}

// One device under a new DeviceID while another keeps its own: that device was re-attached.
TEST(DeviceWatcher, OneNewDeviceIdIsAReattachNotAnOutage) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"A", 1, false}, DeviceRef{"B", 2, false}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 20ms, 5ms, 20ms, 20ms});
  ASSERT_EQ(rec.waitFor(3), (std::vector<std::string>{"up", "+A", "+B"}));
  lister->set(true, {DeviceRef{"A", 1, false}, DeviceRef{"B", 5, false}});
  EXPECT_EQ(rec.waitFor(5), (std::vector<std::string>{"up", "+A", "+B", "-B", "+B"}));
  // Ten more lists of the same devices (counted, not assumed from a sleep): nothing else happens.
  const auto callsNow = [&] {
    std::lock_guard l(lister->m);
    return lister->calls;
  };
  const int before = callsNow();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (callsNow() < before + 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GE(callsNow(), before + 10) << "the watcher stopped listing";
  EXPECT_EQ(rec.waitFor(5).size(), 5u);
}

// A re-attach only ever gets a higher DeviceID: one going down means usbmuxd counted anew.
TEST(DeviceWatcher, LowerDeviceIdIsAnOutage) {
  FakeSource src;
  auto lister = std::make_shared<FakeLister>();
  lister->set(true, {DeviceRef{"A", 1, false}, DeviceRef{"B", 2, false}, DeviceRef{"C", 3, false}});
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 20ms, 5ms, 20ms, 20ms});
  ASSERT_EQ(rec.waitFor(4), (std::vector<std::string>{"up", "+A", "+B", "+C"}));
  lister->set(true, {DeviceRef{"A", 2, false}, DeviceRef{"B", 1, false}, DeviceRef{"C", 3, false}});
  EXPECT_EQ(rec.waitFor(12), (std::vector<std::string>{"up", "+A", "+B", "+C", "-A", "-B", "-C",
                                                       "down", "up", "+A", "+B", "+C"}));
}

// A list can see a re-attach before the event thread delivers it; the events, arriving before the
// confirming list is taken, tell the story and no outage is made up.
TEST(DeviceWatcher, ListAheadOfEventsMakesNoOutage) {
  FakeSource src;
  auto lister = std::make_shared<HookLister>();
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 60s, 5ms, 20ms, 100ms});
  ASSERT_EQ(rec.waitFor(2), (std::vector<std::string>{"up", "+A"}));
  {
    std::lock_guard l(lister->m);
    lister->devices = {DeviceRef{"A", 2, false}};  // call 2 sees the new DeviceID first
    lister->beforeCall[3] = [&] {                  // the events land before the confirming list
      src.emit(DeviceEventType::Removed, DeviceRef{"A", 0, false});
      src.emit(DeviceEventType::Added, DeviceRef{"A", 0, false});
    };
    lister->beforeCall[4] = [&] { rec.add("confirming"); };
    lister->beforeCall[5] = [&] { rec.add("listed"); };
  }
  w.setNetworkDevices(false);  // list now
  ASSERT_EQ(rec.waitFor(5), (std::vector<std::string>{"up", "+A", "-A", "+A", "confirming"}));
  w.setNetworkDevices(false);  // one more list: the confirming one has been applied by then
  EXPECT_EQ(rec.waitFor(6),
            (std::vector<std::string>{"up", "+A", "-A", "+A", "confirming", "listed"}));
}

// An event that asks for a re-list while a list is under way gets a list of its own, not the
// next periodic one.
TEST(DeviceWatcher, RelistAskedDuringAListIsNotLost) {
  class GatedLister final : public DeviceLister {
   public:
    Expected<std::vector<DeviceRef>> list() override {
      std::unique_lock l(m);
      ++calls;
      cv.notify_all();
      const bool wasUp = up;  // a held list answers as of its start
      cv.wait(l, [&] { return !hold; });
      if (!wasUp) return makeError("usbmuxd_unavailable", "down");
      return std::vector<DeviceRef>{DeviceRef{"A", 1, false}};
    }
    std::mutex m;
    std::condition_variable cv;
    bool hold = false;
    bool up = true;
    int calls = 0;
  };
  FakeSource src;
  auto lister = std::make_shared<GatedLister>();
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 60s, 5ms, 20ms});
  ASSERT_EQ(rec.waitFor(2), (std::vector<std::string>{"up", "+A"}));
  {
    std::unique_lock l(lister->m);
    lister->hold = true;
    w.setNetworkDevices(false);  // a re-list, which now waits inside list()
    lister->cv.wait(l, [&] { return lister->calls == 2; });
  }
  src.emit(DeviceEventType::Removed, DeviceRef{"A", 0, false});  // usbmuxd goes away meanwhile
  {
    std::lock_guard l(lister->m);
    lister->up = false;  // the held list still answers with A; the next one fails
    lister->hold = false;
    lister->cv.notify_all();
  }
  // The held list predates the remove: A stays removed, and the next list comes at once.
  EXPECT_EQ(rec.waitFor(4), (std::vector<std::string>{"up", "+A", "-A", "down"}));
}

// A cart plugged in while a list is under way: a device attached by an event after the list was
// asked for is not in that list, and stays attached (no false detach, no second session).
TEST(DeviceWatcher, DeviceAttachedDuringAListStaysAttached) {
  FakeSource src;
  auto lister = std::make_shared<HookLister>();
  Recorder rec;
  DeviceWatcher w(src, lister, rec, WatcherOptions{false, 60s, 5ms, 20ms});
  ASSERT_EQ(rec.waitFor(2), (std::vector<std::string>{"up", "+A"}));
  {
    std::lock_guard l(lister->m);
    lister->beforeCall[2] = [&] {  // B attaches while list 2 (A only) is under way
      src.emit(DeviceEventType::Added, DeviceRef{"B", 0, false});
      std::lock_guard l2(lister->m);
      lister->devices.push_back(DeviceRef{"B", 2, false});
    };
    lister->beforeCall[3] = [&] { rec.add("listed"); };
  }
  w.setNetworkDevices(false);  // list 2
  ASSERT_EQ(rec.waitFor(3), (std::vector<std::string>{"up", "+A", "+B"}));
  w.setNetworkDevices(false);  // list 3: list 2 has been applied by then
  EXPECT_EQ(rec.waitFor(4), (std::vector<std::string>{"up", "+A", "+B", "listed"}));
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

// SPDX-License-Identifier: Apache-2.0
// DeviceWatcher with the real libusbmuxd event thread against ibackupmon-sim, through usbmuxd
// restarts (ctl restart-usbmuxd): devices go, usbmuxd is seen down, both come back, repeatedly.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "device/device_watcher.h"
#include "sim_fixture.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testkit::SimConfig;
using testkit::SimProcess;

class State final : public WatcherListener {
 public:
  void onAttached(const DeviceRef& d) override {
    change([&] { attached.insert(d.udid); });
  }
  void onDetached(const DeviceRef& d) override {
    change([&] { attached.erase(d.udid); });
  }
  void onUsbmuxd(bool isUp) override {
    change([&] {
      up = isUp;
      if (!isUp) ++downs;
    });
  }
  // Outages are counted as they happen: on a loaded machine usbmuxd may be back before a waiter
  // wakes, so waiting for the transient "down and empty" state itself would race.
  template <class F>
  void change(F f) {
    std::lock_guard l(m);
    f();
    if (!up && attached.empty() && !inOutage) {
      inOutage = true;
      ++outages;
    }
    if (up) inOutage = false;
    cv.notify_all();
  }
  bool waitFor(const std::function<bool()>& pred, std::chrono::seconds limit = 60s) {
    std::unique_lock l(m);
    return cv.wait_for(l, limit, pred);
  }
  std::mutex m;
  std::condition_variable cv;
  std::set<std::string> attached;
  bool up = false;
  int downs = 0;
  bool inOutage = true;  // the start, before usbmuxd is first seen, is no outage
  int outages = 0;       // times usbmuxd was seen down with every device gone
};

void watchThroughRestarts(bool tcp) {
  SimProcess sim(SimConfig{.generate = 12, .seed = 3, .tcp = tcp});
  ASSERT_TRUE(sim.start()) << sim.error();
  sim.exportAddress();
  const std::size_t usb = 12 - sim.udidsWith("network").size();
  State state;
  UsbmuxdEvents events;
  WatcherOptions options;
  options.retryMax = 1000ms;
  DeviceWatcher watcher(events, std::make_shared<UsbmuxdLister>(), state, options);
  ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }))
      << state.attached.size() << " of " << usb;
  for (int round = 1; round <= 2; ++round) {
    ASSERT_TRUE(sim.ctl({"restart-usbmuxd", "2"}).exitCode == 0);
    ASSERT_TRUE(state.waitFor([&] { return state.outages == round; }))
        << "round " << round << ": outage not seen";
    EXPECT_EQ(state.downs, round);
    ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }))
        << "round " << round << ": devices did not return (" << state.attached.size() << ")";
  }
  // Events still flow after the restarts: a detach is seen without waiting for a poll.
  const std::string one = *state.attached.begin();
  ASSERT_TRUE(sim.ctl({"detach", one}).exitCode == 0);
  EXPECT_TRUE(state.waitFor([&] { return state.attached.count(one) == 0; }));
}

TEST(WatcherRestart, TcpAddress) {
  watchThroughRestarts(true);
}

// A UNIX path other than /var/run/usbmuxd: libusbmuxd's inotify wait would watch the wrong file;
// UsbmuxdEvents turns it off and the watcher's ListDevices polling re-lists regardless.
TEST(WatcherRestart, UnixPath) {
  watchThroughRestarts(false);
}

}  // namespace
}  // namespace ibackupmon

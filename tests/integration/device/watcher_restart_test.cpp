// SPDX-License-Identifier: Apache-2.0
// DeviceWatcher with the real libusbmuxd event thread against ibackupmon-sim, through usbmuxd
// restarts (ctl restart-usbmuxd): devices go, usbmuxd is seen down, both come back, repeatedly.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/line_client.h"
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

// The simulator's usbmuxd-side events (Listen, ListDevices, restarts), for a failure message.
std::string usbmuxdTrace(const SimProcess& sim) {
  std::istringstream in(sim.events());
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("\"lockdownd\"") == std::string::npos) out += line + "\n";
  }
  return out;
}

void watchThroughRestarts(bool tcp) {
  spdlog::set_level(spdlog::level::debug);  // the watcher's trace, shown when a round fails
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
        << "round " << round << ": outage not seen\n"
        << usbmuxdTrace(sim);
    EXPECT_EQ(state.downs, round);
    ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }))
        << "round " << round << ": devices did not return (" << state.attached.size() << ")\n"
        << usbmuxdTrace(sim);
  }
  // Events still flow after the restarts: a detach is seen without waiting for a poll.
  const std::string one = *state.attached.begin();
  ASSERT_TRUE(sim.ctl({"detach", one}).exitCode == 0);
  EXPECT_TRUE(state.waitFor([&] { return state.attached.count(one) == 0; }));
}

// `ctl restart-usbmuxd SECONDS` sent on the control socket from this process: no ctl process to
// start, so the restart begins within a millisecond.
void restartNow(const SimProcess& sim, int seconds) {
  const auto reply = exchangeLine(
      sim.controlPath(), "[\"restart-usbmuxd\",\"" + std::to_string(seconds) + "\"]", std::nullopt);
  ASSERT_TRUE(reply) << sim.controlPath() << ": " << reply.error().message;
  EXPECT_NE(reply->find("\"ok\":true"), std::string::npos) << *reply;
}

// libusbmuxd's event thread retries its connection once a second. Here usbmuxd comes back just
// after one retry (the simulator is held stopped across it), the watcher's backoff list sees it
// before the next, and the second restart begins at once: the event thread is not connected for
// any of it and reports nothing. The next list shows the same devices under new DeviceIDs, and
// that outage must be reported too.
TEST(WatcherRestart, RestartUnseenByTheEventThread) {
  SimProcess sim(SimConfig{.generate = 12, .seed = 3});
  ASSERT_TRUE(sim.start()) << sim.error();
  sim.exportAddress();
  spdlog::set_level(spdlog::level::debug);
  const std::size_t usb = 12 - sim.udidsWith("network").size();
  State state;
  UsbmuxdEvents events;
  WatcherOptions options;
  options.retryMax = 1000ms;
  DeviceWatcher watcher(events, std::make_shared<UsbmuxdLister>(), state, options);
  ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }));
  restartNow(sim, 2);
  // Retries at about 1 s and 2 s after the cut; the timer that brings usbmuxd back fires late.
  // Timing only arranges the race: the assertions hold however the threads interleave.
  std::this_thread::sleep_for(1800ms);
  ASSERT_EQ(::kill(sim.pid(), SIGSTOP), 0);
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(sim.pid(), SIGCONT), 0);
  ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }))
      << "devices did not return (" << state.attached.size() << ")\n"
      << usbmuxdTrace(sim);
  ASSERT_TRUE(state.waitFor([&] { return state.outages == 1; }));
  restartNow(sim, 2);
  ASSERT_TRUE(state.waitFor([&] { return state.outages == 2; })) << "second outage not seen\n"
                                                                 << usbmuxdTrace(sim);
  EXPECT_EQ(state.downs, 2);
  ASSERT_TRUE(state.waitFor([&] { return state.up && state.attached.size() == usb; }))
      << "devices did not return (" << state.attached.size() << ")\n"
      << usbmuxdTrace(sim);
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

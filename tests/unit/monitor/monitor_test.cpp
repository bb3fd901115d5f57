// SPDX-License-Identifier: Apache-2.0
#include "app/monitor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <thread>

#include "fake_connector.h"
#include "fake_store.h"
#include "support/fake_clock.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testing::FakeStore;
using testing::ThreadSafeConnector;

class RecordingObserver final : public FleetObserver {
 public:
  void onFleetStatus(const FleetView& v) override {
    std::lock_guard l(m);
    last = v;
    ++views;
  }
  void onProbeOutcome(const ProbeOutcome&) override { ++outcomes; }
  void onWorkerAbandoned(const std::string& udid) override {
    std::lock_guard l(m);
    abandoned.push_back(udid);
  }
  std::mutex m;
  FleetView last;
  int views = 0;
  std::atomic<int> outcomes{0};
  std::vector<std::string> abandoned;
};

class MonitorTest : public ::testing::Test {
 protected:
  MonitorTest() {
    config.probe.interval = std::chrono::seconds(60);
    config.probe.timeout = std::chrono::seconds(1);
    config.probe.concurrency = 4;
  }
  ~MonitorTest() override {
    if (monitor) monitor->stop();
    io.stop();
    if (loop.joinable()) loop.join();
    monitor.reset();
    std::lock_guard l(shared->mutex);
    shared->release = true;  // let hung fake calls finish so the process exits cleanly
    shared->released.notify_all();
  }

  void startMonitor() {
    monitor = std::make_unique<Monitor>(
        MonitorDeps{io, store, std::make_shared<ThreadSafeConnector>(shared), clock, {&observer}},
        config);
    ASSERT_TRUE(monitor->start());
    loop = std::thread([this] { io.run(); });
  }

  // Runs fn on the monitor's strand and waits for it (the store is only touched there).
  void onStrand(const std::function<void(const FleetView&, const MonitorStats&)>& fn) {
    std::promise<void> done;
    monitor->inspect([&](const FleetView& v, const MonitorStats& s) {
      fn(v, s);
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  }

  // Polls a condition on the strand until it holds or the deadline passes.
  bool waitFor(const std::function<bool(const FleetView&, const MonitorStats&)>& pred,
               std::chrono::milliseconds deadline = 20000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      bool ok = false;
      onStrand([&](const FleetView& v, const MonitorStats& s) { ok = pred(v, s); });
      if (ok) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  static DeviceRef usb(const std::string& udid) { return DeviceRef{udid, 0, false}; }

  Config config;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  FakeStore store;
  std::shared_ptr<ThreadSafeConnector::Shared> shared =
      std::make_shared<ThreadSafeConnector::Shared>();
  std::shared_ptr<FakeClock> clock =
      std::make_shared<FakeClock>(fromUnixSeconds(1747400000));  // a day after the backups
  RecordingObserver observer;
  std::unique_ptr<Monitor> monitor;
  std::thread loop;
};

TEST_F(MonitorTest, AttachedDevicesAreProbedRecordedDiagnosedAndPublished) {
  startMonitor();
  for (auto u : {"A", "B", "C"}) monitor->onAttached(usb(u));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 3; }));
  onStrand([&](const FleetView& v, const MonitorStats&) {
    EXPECT_EQ(store.closeAll, 1);
    EXPECT_EQ(store.snapshots.size(), 3u);
    ASSERT_EQ(v.devices.size(), 3u);
    for (const auto& d : v.devices) {
      EXPECT_TRUE(d.connected) << d.udid;
      EXPECT_EQ(d.name, "Device " + d.udid);
      EXPECT_EQ(d.backupState, BackupState::Ok) << d.udid;
      EXPECT_EQ(d.batteryLevel, 80);
      EXPECT_EQ(store.statuses.at(d.udid).backupState, BackupState::Ok);
      EXPECT_EQ(store.attached.at(d.udid), 1);
    }
  });
  EXPECT_EQ(shared->opens["A"], 1);  // one session per cycle
  ASSERT_TRUE(waitFor([&](auto&, auto&) {
    std::lock_guard l(observer.m);
    return observer.last.devices.size() == 3;
  }));
  EXPECT_GT(observer.outcomes.load(), 0);
}

TEST_F(MonitorTest, HungDeviceCostsOnlyItsOwnTimeout) {
  config.probe.concurrency = 2;
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  for (int i = 0; i < 20; ++i) monitor->onAttached(usb("D" + std::to_string(i)));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 20; }));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.abandonedWorkers == 1; }));
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_EQ(s.poolCapacity, 2);  // the lost thread was replaced
    EXPECT_EQ(store.snapshots.size(), 21u);
    const auto& hung = store.snapshots.at("HUNG").back();
    ASSERT_EQ(hung.probes.size(), 1u);
    EXPECT_EQ(hung.probes[0].error, "timeout");
    EXPECT_EQ(v.devices.size(), 21u);
  });
  {
    std::lock_guard l(observer.m);
    EXPECT_EQ(observer.abandoned, std::vector<std::string>{"HUNG"});
  }
  EXPECT_EQ(shared->opens["HUNG"], 1);  // never a second probe while the first is stuck
}

// libimobiledevice cannot cancel a TLS handshake that never ends: the worker stays stuck and the
// device is never probed twice at once, yet every missed cycle counts as a failure, so a device
// whose backup is known (3 failures needed) is still reported probe_failing.
TEST_F(MonitorTest, DeviceStuckForeverIsReportedFailing) {
  config.probe.timeout = std::chrono::seconds(1);
  DeviceHistory known;
  known.udid = "HUNG";
  known.firstSeen = clock->now() - std::chrono::hours(24 * 30);
  known.lastSeen = clock->now() - std::chrono::hours(1);
  known.lastCloudBackup = clock->now() - std::chrono::hours(2);
  known.lastGoodProbe = known.lastSeen;
  store.histories.push_back(known);
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  auto failing = [](const FleetView& v) {
    if (v.devices.size() != 1) return false;
    for (const auto& c : v.devices[0].conditions) {
      if (c.id == "probe_failing") return true;
    }
    return false;
  };
  // One timeout, then cycles missed 2 s and 4 s later (backoff): 3 failures well within 30 s.
  ASSERT_TRUE(waitFor([&](const FleetView& v, auto&) { return failing(v); }, 30000ms));
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_EQ(v.devices[0].backupState, BackupState::Ok);  // the last known backup still holds
    EXPECT_EQ(s.abandonedWorkers, 1u);
    EXPECT_GE(store.snapshots.at("HUNG").size(), 3u);
  });
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->opens["HUNG"], 1);  // never a second probe while the first is stuck
}

TEST_F(MonitorTest, AbandonedWorkersAreCapped) {
  config.probe.concurrency = 2;
  config.probe.maxAbandonedWorkers = 1;
  for (auto u : {"H1", "H2", "H3"}) shared->hung.insert(u);
  startMonitor();
  for (auto u : {"H1", "H2", "H3"}) monitor->onAttached(usb(u));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.abandonedWorkers >= 2; }));
  onStrand([](const FleetView&, const MonitorStats& s) {
    EXPECT_LT(s.poolCapacity, 2);  // past the cap the pool runs short instead of growing
  });
}

TEST_F(MonitorTest, StopDoesNotWaitForAStuckWorker) {
  config.probe.timeout = std::chrono::seconds(30);
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  ASSERT_TRUE(waitFor([&](auto&, auto&) {
    std::lock_guard l(shared->mutex);
    return shared->opens["HUNG"] == 1;
  }));
  const auto start = std::chrono::steady_clock::now();
  monitor->stop();
  monitor.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(MonitorTest, DetachAndUsbmuxdOutageAreVisible) {
  startMonitor();
  monitor->onUsbmuxd(true);
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 1; }));
  monitor->onUsbmuxd(false);
  monitor->onDetached(usb("A"));
  ASSERT_TRUE(waitFor([](const FleetView& v, auto&) {
    return !v.usbmuxdUp && v.devices.size() == 1 && !v.devices[0].connected;
  }));
  onStrand([&](auto&, auto&) { EXPECT_EQ(store.detached.at("A"), 1); });
  monitor->onUsbmuxd(true);
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitFor([](const FleetView& v, const MonitorStats& s) {
    return v.usbmuxdUp && s.cyclesCompleted == 2 && v.devices[0].connected;
  }));
}

TEST_F(MonitorTest, ExcludedByNamePatternIsNeverRecorded) {
  config.probe.exclude = {"Staff *"};
  shared->names["S"] = "Staff phone";
  startMonitor();
  monitor->onAttached(usb("S"));
  monitor->onAttached(usb("K"));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 2; }));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].udid, "K");
    EXPECT_EQ(store.snapshots.count("S"), 0u);
    EXPECT_EQ(store.attached.count("S"), 0u);
    EXPECT_EQ(store.statuses.count("S"), 0u);
  });
  monitor->onAttached(usb("S"));  // a repeated attach of an excluded device stays excluded
  onStrand([&](auto&, auto&) { EXPECT_EQ(shared->opens["S"], 1); });
}

TEST_F(MonitorTest, ExcludedByUdidIsNeverProbed) {
  config.probe.exclude = {"X"};
  config.devices.push_back(DeviceSetting{"A", "Cart 3 / 17", "cart3"});
  startMonitor();
  monitor->onAttached(usb("X"));
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 1; }));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].name, "Cart 3 / 17");
    EXPECT_EQ(v.devices[0].location, "cart3");
  });
  EXPECT_EQ(shared->opens.count("X"), 0u);
}

TEST_F(MonitorTest, KnownDevicesFromTheStoreAreRediagnosedAndPruned) {
  config.probe.interval = std::chrono::seconds(1);
  DeviceHistory h;
  h.udid = "OLD";
  h.lastSeen = clock->now() - std::chrono::hours(24 * 10);
  h.lastCloudBackup = clock->now() - std::chrono::hours(24 * 10);
  store.histories.push_back(h);
  startMonitor();
  // Pruning runs in batches posted to the strand: await the last one, not just the device.
  ASSERT_TRUE(
      waitFor([&](const FleetView& v, auto&) { return v.devices.size() == 1 && store.prunes >= 3; },
              20000ms));
  onStrand([&](const FleetView& v, auto&) {
    EXPECT_FALSE(v.devices[0].connected);
    EXPECT_EQ(v.devices[0].backupState, BackupState::Stale);
    std::set<std::string> ids;
    for (const auto& c : v.devices[0].conditions) ids.insert(c.id);
    EXPECT_TRUE(ids.count("device_missing")) << "conditions: " << ids.size();
    EXPECT_TRUE(ids.count("backup_stale"));
    EXPECT_EQ(store.prunes, 3);  // batches continue until the store says done
  });
}

TEST_F(MonitorTest, FailingDeviceBacksOffAndIsReportedFailing) {
  config.probe.interval = std::chrono::seconds(60);
  shared->openErrors["F"] = Error{"retry", "receive timeout"};
  startMonitor();
  monitor->onAttached(usb("F"));
  // Backoff starts at 2 s: the second cycle comes well before the 60 s interval.
  ASSERT_TRUE(
      waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted >= 2; }, 30000ms));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].backupState, BackupState::Unknown);  // unreadable is never "ok"
  });
}

// Read once, then the session opens but every read fails: failed cycles (retried after 2 s, not
// a whole interval), probe_failing within three of them, never "ok" on remembered values alone.
TEST_F(MonitorTest, SessionWhoseEveryReadFailsIsAFailedCycle) {
  config.probe.interval = std::chrono::seconds(60);
  startMonitor();
  monitor->onAttached(usb("R"));
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.cyclesCompleted == 1; }));
  {
    std::lock_guard l(shared->mutex);
    shared->readsFail.insert("R");
  }
  monitor->onDetached(usb("R"));  // replug: probed again at once
  monitor->onAttached(usb("R"));
  auto failing = [](const FleetView& v, auto&) {
    return v.devices.size() == 1 &&
           std::any_of(v.devices[0].conditions.begin(), v.devices[0].conditions.end(),
                       [](const Condition& c) { return c.id == "probe_failing"; });
  };
  // Well under the 60 s interval: failed cycles are retried after 2 s, then 4 s.
  ASSERT_TRUE(waitFor(failing, 30000ms)) << "three failed cycles within the backoff";
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_GE(s.cyclesCompleted, 4);
    const auto& d = v.devices[0];
    EXPECT_EQ(d.backupState, BackupState::Ok) << "the remembered backup still counts";
    EXPECT_FALSE(d.batteryLevel) << "live values are gone";
    EXPECT_EQ(d.name, "Device R");
  });
}

}  // namespace
}  // namespace ibackupmon

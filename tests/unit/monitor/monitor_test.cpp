// SPDX-License-Identifier: Apache-2.0
// The monitor on the real SQLite store (a temporary file) with manual time: timers (backoff,
// probe timeout, housekeeping, publishing) fire when a test advances the time, never by waiting.
// Tests still await the io thread and the pool's workers, polling a condition on the strand.
#include "app/monitor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <thread>

#include "fake_connector.h"
#include "manual_time.h"
#include "support/sysfs_tree.h"
#include "temp_store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testing::ManualTime;
using testing::SessionRefusingStore;
using testing::TempStore;
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

// A cycle that read the device at `at`, its last iCloud backup at `backup`.
DeviceSnapshot readAt(const std::string& udid, TimePoint at, TimePoint backup, int battery = 80) {
  DeviceSnapshot s;
  s.identity.udid = udid;
  s.identity.name = "Device " + udid;
  s.takenAt = at;
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.backup = BackupFacts{};
  s.backup->lastCloudBackup = backup;
  s.battery = BatteryInfo{};
  s.battery->level = battery;
  for (const char* p : {"trust", "identity", "backup", "battery", "storage", "account"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Ok, "", "", 0.01});
  }
  return s;
}

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
    Store& s = refusing ? static_cast<Store&>(*refusing) : *db;
    monitor = std::make_unique<Monitor>(MonitorDeps{io,
                                                    s,
                                                    std::make_shared<ThreadSafeConnector>(shared),
                                                    time->clock(),
                                                    {&observer},
                                                    nullptr,
                                                    time},
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

  // Polls a condition on the strand until the io thread and the workers made it hold. Never
  // moves the monitor's time: timers fire only in advance().
  bool waitFor(const std::function<bool(const FleetView&, const MonitorStats&)>& pred,
               std::chrono::milliseconds deadline = 20000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      bool ok = false;
      onStrand([&](const FleetView& v, const MonitorStats& s) { ok = pred(v, s); });
      if (ok) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
  bool waitForCycles(std::uint64_t n) {
    return waitFor([n](auto&, const MonitorStats& s) { return s.cyclesCompleted == n; });
  }
  bool waitForOpens(const std::string& udid, int n) {
    return waitFor([&](auto&, auto&) {
      std::lock_guard l(shared->mutex);
      return shared->opens[udid] == n;
    });
  }
  // Moves the clock and fires the monitor's timers due on the way.
  void advance(std::chrono::milliseconds d) { time->advance(d); }

  static DeviceRef usb(const std::string& udid) { return DeviceRef{udid, 0, false}; }
  static bool hasCondition(const DeviceStatus& d, const std::string& id) {
    return std::any_of(d.conditions.begin(), d.conditions.end(),
                       [&](const Condition& c) { return c.id == id; });
  }
  int failuresInStore(const std::string& udid) {
    auto h = db->loadHistory(udid);
    return h && *h ? (*h)->consecutiveProbeFailures : -1;
  }
  std::size_t backupsInStore(const std::string& udid) {
    auto t = db->timeline(udid);
    EXPECT_TRUE(t);
    return t ? t->backups.size() : 0;
  }
  std::map<std::string, DeviceStatus> statusesInStore() {
    std::map<std::string, DeviceStatus> out;
    auto all = db->loadStatus();
    EXPECT_TRUE(all);
    if (all) {
      for (auto& st : *all) out[st.udid] = st;
    }
    return out;
  }

  Config config;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  TempStore db;
  std::unique_ptr<SessionRefusingStore> refusing;  // set before startMonitor() to use it
  std::shared_ptr<ThreadSafeConnector::Shared> shared =
      std::make_shared<ThreadSafeConnector::Shared>();
  const TimePoint t0 = fromUnixSeconds(1747400000);  // a day after the fake's backup date
  std::shared_ptr<ManualTime> time = std::make_shared<ManualTime>(t0);
  RecordingObserver observer;
  std::unique_ptr<Monitor> monitor;
  std::thread loop;
};

TEST_F(MonitorTest, AttachedDevicesAreProbedRecordedDiagnosedAndPublished) {
  startMonitor();
  for (auto u : {"A", "B", "C"}) monitor->onAttached(usb(u));
  ASSERT_TRUE(waitForCycles(3));
  onStrand([&](const FleetView& v, const MonitorStats&) {
    const auto stored = statusesInStore();
    EXPECT_EQ(stored.size(), 3u);
    ASSERT_EQ(v.devices.size(), 3u);
    for (const auto& d : v.devices) {
      EXPECT_TRUE(d.connected) << d.udid;
      EXPECT_EQ(d.name, "Device " + d.udid);
      EXPECT_EQ(d.backupState, BackupState::Ok) << d.udid;
      EXPECT_EQ(d.batteryLevel, 80);
      EXPECT_EQ(stored.at(d.udid).backupState, BackupState::Ok);
      auto t = db->timeline(d.udid);
      ASSERT_TRUE(t);
      ASSERT_EQ(t->sessions.size(), 1u);
      EXPECT_EQ(t->sessions[0].attached, t0);
      EXPECT_FALSE(t->sessions[0].detached);
    }
  });
  EXPECT_EQ(shared->opens["A"], 1);  // one session per cycle
  advance(100ms);                    // observers get the fleet at most every 100 ms
  {
    std::lock_guard l(observer.m);
    EXPECT_EQ(observer.last.devices.size(), 3u);
  }
  EXPECT_GT(observer.outcomes.load(), 0);
}

TEST_F(MonitorTest, SessionsLeftOpenByACrashAreClosedAtStart) {
  ASSERT_TRUE(db->deviceAttached("A", t0 - 1h));
  startMonitor();
  onStrand([&](auto&, auto&) {
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_EQ(t->sessions[0].detached, t0 - 1h) << "ends when it was last seen";
  });
}

TEST_F(MonitorTest, HungDeviceCostsOnlyItsOwnTimeout) {
  config.probe.concurrency = 2;
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  ASSERT_TRUE(waitForOpens("HUNG", 1));
  for (int i = 0; i < 20; ++i) monitor->onAttached(usb("D" + std::to_string(i)));
  ASSERT_TRUE(waitForCycles(20));  // on the one thread the hung device leaves
  onStrand([](auto&, const MonitorStats& s) { EXPECT_EQ(s.abandonedWorkers, 0u); });
  advance(1s);  // the probe timeout
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_EQ(s.abandonedWorkers, 1u);
    EXPECT_EQ(s.poolCapacity, 2);  // the lost thread was replaced
    EXPECT_EQ(statusesInStore().size(), 21u);
    EXPECT_EQ(failuresInStore("HUNG"), 1);  // the timeout counted as a failed cycle
    EXPECT_EQ(v.devices.size(), 21u);
  });
  {
    std::lock_guard l(observer.m);
    EXPECT_EQ(observer.abandoned, std::vector<std::string>{"HUNG"});
  }
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->opens["HUNG"], 1);  // never a second probe while the first is stuck
}

// libimobiledevice cannot cancel a TLS handshake that never ends: the worker stays stuck and the
// device is never probed twice at once, yet every missed cycle counts as a failure, so a device
// whose backup is known (3 failures needed) is still reported probe_failing.
TEST_F(MonitorTest, DeviceStuckForeverIsReportedFailing) {
  ASSERT_TRUE(db->deviceAttached("HUNG", t0 - 24h * 30));
  ASSERT_TRUE(db->recordSnapshot(readAt("HUNG", t0 - 1h, t0 - 2h)));
  ASSERT_TRUE(db->deviceDetached("HUNG", t0 - 1h));
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  ASSERT_TRUE(waitForOpens("HUNG", 1));
  auto failing = [&] {
    bool yes = false;
    onStrand([&](const FleetView& v, auto&) {
      yes = v.devices.size() == 1 && hasCondition(v.devices[0], "probe_failing");
    });
    return yes;
  };
  advance(1s);  // timeout: the first failure; the next due time is 2 s later (backoff)
  EXPECT_FALSE(failing());
  advance(2s);  // missed: the second
  EXPECT_FALSE(failing());
  advance(4s);  // missed again: the third
  EXPECT_TRUE(failing());
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_EQ(v.devices[0].backupState, BackupState::Ok);  // the last known backup still holds
    EXPECT_EQ(s.abandonedWorkers, 1u);
    EXPECT_EQ(failuresInStore("HUNG"), 3);
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
  ASSERT_TRUE(waitFor([&](auto&, auto&) { return shared->concurrent.load() == 2; }));
  advance(1s);  // both timeouts: one thread replaced, the second past the cap
  onStrand([](const FleetView&, const MonitorStats& s) {
    EXPECT_EQ(s.abandonedWorkers, 2u);
    EXPECT_LT(s.poolCapacity, 2);  // past the cap the pool runs short instead of growing
  });
}

TEST_F(MonitorTest, StopDoesNotWaitForAStuckWorker) {
  config.probe.timeout = std::chrono::seconds(30);
  shared->hung.insert("HUNG");
  startMonitor();
  monitor->onAttached(usb("HUNG"));
  ASSERT_TRUE(waitForOpens("HUNG", 1));
  const auto start = std::chrono::steady_clock::now();
  monitor->stop();
  monitor.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(MonitorTest, DetachAndUsbmuxdOutageAreVisible) {
  startMonitor();
  monitor->onUsbmuxd(true);
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitForCycles(1));
  advance(5s);
  monitor->onUsbmuxd(false);
  monitor->onDetached(usb("A"));
  ASSERT_TRUE(waitFor([](const FleetView& v, auto&) {
    return !v.usbmuxdUp && v.devices.size() == 1 && !v.devices[0].connected;
  }));
  onStrand([&](auto&, auto&) {
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_EQ(t->sessions[0].detached, t0 + 5s);
  });
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
  ASSERT_TRUE(waitForCycles(2));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].udid, "K");
    EXPECT_FALSE(db->timeline("S")) << "the store never heard of it";
    EXPECT_EQ(statusesInStore().count("S"), 0u);
  });
  monitor->onAttached(usb("S"));  // a repeated attach of an excluded device stays excluded
  // A probe it wrongly started would be in flight now: wait for none, then count the sessions.
  ASSERT_TRUE(waitFor([](auto&, const MonitorStats& s) { return s.inFlight == 0; }));
  onStrand([&](auto&, const MonitorStats& s) {
    EXPECT_EQ(s.cyclesCompleted, 2u);
    std::lock_guard l(shared->mutex);
    EXPECT_EQ(shared->opens["S"], 1);
  });
}

// A device whose name decides whether it is watched is recorded only once its name is known; the
// USB port found meanwhile goes into that first attach session with it.
TEST_F(MonitorTest, PortFoundBeforeTheNameIsRecordedWithTheFirstSession) {
  const std::string kiosk = "00008110-000000000000000A", other = "00008110-000000000000000B";
  std::string dir = (std::filesystem::temp_directory_path() / "ibackupmon-sysfs-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  testing::SysfsTree sys(dir);
  sys.plug("1-2", "00008110000000000000000A");
  sys.plug("1-3", "00008110000000000000000B");
  config.host.sysfsRoot = dir;
  config.probe.exclude = {"Staff *"};
  shared->hung.insert(kiosk);  // its first probe waits: the port is found before its name
  startMonitor();
  monitor->onAttached(usb(kiosk));
  monitor->onAttached(usb(other));
  // The scan that gave the other device its slot ran after the kiosk's attach, too.
  ASSERT_TRUE(waitFor([&](const FleetView& v, auto&) {
    return v.devices.size() == 1 && v.devices[0].slot && v.devices[0].slot->port == "1-3";
  }));
  {
    std::lock_guard l(shared->mutex);
    shared->release = true;
    shared->released.notify_all();
  }
  ASSERT_TRUE(waitFor([](const FleetView& v, auto&) { return v.devices.size() == 2; }));
  onStrand([&](auto&, auto&) {
    auto t = db->timeline(kiosk);
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_EQ(t->sessions[0].port, "1-2");
  });
  std::filesystem::remove_all(dir);
}

// A device plugged in goes before a re-probe that was due earlier: with the only worker busy,
// the periodic re-probe of P falls due, then N is attached; the worker, once free, takes N.
TEST_F(MonitorTest, NewlyAttachedDevicesGoBeforeDueReprobes) {
  config.probe.concurrency = 1;
  config.probe.timeout = std::chrono::seconds(600);  // the busy worker is never given up on here
  shared->hung.insert("H");
  startMonitor();
  monitor->onAttached(usb("P"));
  ASSERT_TRUE(waitForCycles(1));
  monitor->onAttached(usb("H"));
  ASSERT_TRUE(waitForOpens("H", 1));
  advance(61s);  // P's re-probe is due; the worker is still held by H
  monitor->onAttached(usb("N"));
  onStrand([](auto&, const MonitorStats& s) { EXPECT_EQ(s.inFlight, 1); });
  {
    std::lock_guard l(shared->mutex);
    shared->release = true;
    shared->released.notify_all();
  }
  ASSERT_TRUE(waitForCycles(4));
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->openOrder, (std::vector<std::string>{"P", "H", "N", "P"}));
}

TEST_F(MonitorTest, ExcludedByUdidIsNeverProbed) {
  config.probe.exclude = {"X"};
  config.devices.push_back(DeviceSetting{"A", "Cart 3 / 17", "cart3"});
  startMonitor();
  monitor->onAttached(usb("X"));
  monitor->onAttached(usb("A"));
  // Every cycle started has ended (a probe of X would have started with A's), then count.
  ASSERT_TRUE(waitFor(
      [](auto&, const MonitorStats& s) { return s.cyclesCompleted >= 1 && s.inFlight == 0; }));
  onStrand([&](const FleetView& v, const MonitorStats& s) {
    EXPECT_EQ(s.cyclesCompleted, 1u);
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].name, "Cart 3 / 17");
    EXPECT_EQ(v.devices[0].location, "cart3");
  });
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->opens.count("X"), 0u);
}

// OLD was last seen 10 days ago; ANCIENT 500 days ago, with more rows past retention than one
// prune batch takes: it is forgotten, and its rows go batch after batch until none is left.
TEST_F(MonitorTest, KnownDevicesAreRediagnosedForgottenAndPruned) {
  config.probe.interval = std::chrono::seconds(1);
  ASSERT_TRUE(db->deviceAttached("OLD", t0 - 24h * 10));
  ASSERT_TRUE(db->recordSnapshot(readAt("OLD", t0 - 24h * 10, t0 - 24h * 10)));
  ASSERT_TRUE(db->deviceDetached("OLD", t0 - 24h * 10));
  const TimePoint ancient = t0 - 24h * 500;
  for (int i = 0; i < 600; ++i) {  // an observation and a backup event each: 1200 rows
    const TimePoint at = ancient + std::chrono::minutes(i);
    ASSERT_TRUE(db->recordSnapshot(readAt("ANCIENT", at, at, i % 2 == 0 ? 20 : 80)));
  }
  startMonitor();
  onStrand([&](const FleetView& v, auto&) {
    EXPECT_EQ(v.devices.size(), 0u) << "no status before the first housekeeping pass";
  });
  advance(1s);  // the first housekeeping pass
  ASSERT_TRUE(waitFor([&](auto&, auto&) {
    auto t = db->timeline("ANCIENT");
    return !t || (t->backups.empty() && t->observations.empty());
  })) << "prune batches continue until the store says done";
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].udid, "OLD");
    EXPECT_FALSE(v.devices[0].connected);
    EXPECT_EQ(v.devices[0].backupState, BackupState::Stale);
    EXPECT_TRUE(hasCondition(v.devices[0], "device_missing"));
    EXPECT_TRUE(hasCondition(v.devices[0], "backup_stale"));
    auto forgotten = db->forgottenUdids();
    ASSERT_TRUE(forgotten);
    EXPECT_EQ(std::count(forgotten->begin(), forgotten->end(), "OLD"), 0);
  });
}

TEST_F(MonitorTest, FailingDeviceBacksOffAndIsReportedFailing) {
  config.probe.interval = std::chrono::seconds(60);
  shared->openErrors["F"] = Error{"retry", "receive timeout"};
  startMonitor();
  monitor->onAttached(usb("F"));
  ASSERT_TRUE(waitForCycles(1));
  advance(1999ms);  // backoff starts at 2 s
  onStrand([](auto&, const MonitorStats& s) { EXPECT_EQ(s.cyclesCompleted, 1u); });
  advance(1ms);
  ASSERT_TRUE(waitForCycles(2));  // well before the 60 s interval
  advance(3999ms);                // then 4 s
  onStrand([](auto&, const MonitorStats& s) { EXPECT_EQ(s.cyclesCompleted, 2u); });
  advance(1ms);
  ASSERT_TRUE(waitForCycles(3));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_EQ(v.devices[0].backupState, BackupState::Unknown);  // unreadable is never "ok"
    EXPECT_EQ(failuresInStore("F"), 3);
  });
}

TEST_F(MonitorTest, BackoffIsCappedAtTheIntervalAndEndsWithAGoodCycle) {
  config.probe.interval = std::chrono::seconds(5);
  shared->openErrors["F"] = Error{"retry", "receive timeout"};
  startMonitor();
  monitor->onAttached(usb("F"));
  ASSERT_TRUE(waitForCycles(1));
  advance(2s);
  ASSERT_TRUE(waitForCycles(2));
  advance(4s);
  ASSERT_TRUE(waitForCycles(3));
  advance(5s);  // 8 s, capped at the 5 s interval
  ASSERT_TRUE(waitForCycles(4));
  {
    std::lock_guard l(shared->mutex);
    shared->openErrors.clear();
  }
  advance(5s);
  ASSERT_TRUE(waitForCycles(5));
  onStrand([&](auto&, auto&) { EXPECT_EQ(failuresInStore("F"), 0); });
  advance(4999ms);  // good again: the next one a whole interval later, not 2 s
  onStrand([](auto&, const MonitorStats& s) { EXPECT_EQ(s.cyclesCompleted, 5u); });
  advance(1ms);
  ASSERT_TRUE(waitForCycles(6));
}

// Read once, then the session opens but every read fails: failed cycles (retried after 2 s, not
// a whole interval), probe_failing within three of them, never "ok" on remembered values alone.
TEST_F(MonitorTest, SessionWhoseEveryReadFailsIsAFailedCycle) {
  config.probe.interval = std::chrono::seconds(60);
  startMonitor();
  monitor->onAttached(usb("R"));
  ASSERT_TRUE(waitForCycles(1));
  {
    std::lock_guard l(shared->mutex);
    shared->readsFail.insert("R");
  }
  monitor->onDetached(usb("R"));  // replug: probed again at once
  monitor->onAttached(usb("R"));
  ASSERT_TRUE(waitForCycles(2));
  advance(2s);
  ASSERT_TRUE(waitForCycles(3));
  advance(4s);
  ASSERT_TRUE(waitForCycles(4));
  onStrand([&](const FleetView& v, const MonitorStats&) {
    ASSERT_EQ(v.devices.size(), 1u);
    const auto& d = v.devices[0];
    EXPECT_TRUE(hasCondition(d, "probe_failing")) << "three failed cycles within the backoff";
    EXPECT_EQ(d.backupState, BackupState::Ok) << "the remembered backup still counts";
    EXPECT_FALSE(d.batteryLevel) << "live values are gone";
    EXPECT_EQ(d.name, "Device R");
  });
}

// The store refuses the attach (database locked): the monitor goes on probing, and the session
// is written on a retry, with the time usbmuxd reported it.
TEST_F(MonitorTest, RefusedAttachIsRetriedWithItsOwnTime) {
  refusing = std::make_unique<SessionRefusingStore>(*db);
  refusing->failSessionWrites = 2;
  startMonitor();
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitForCycles(1));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_TRUE(v.devices[0].connected);
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    EXPECT_TRUE(t->sessions.empty());
  });
  advance(2s);  // the first retry is refused too
  advance(2s);
  onStrand([&](auto&, auto&) {
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_EQ(t->sessions[0].attached, t0);
    EXPECT_EQ(refusing->failSessionWrites, 0);
  });
}

// The store refuses the cycle (database locked) and the device is unplugged before another
// cycle could carry it: the retry writes the refused cycle, with the detach's status, so the
// backup the device reported is recorded once.
TEST_F(MonitorTest, RefusedCycleIsWrittenByTheRetryAfterTheDeviceLeft) {
  refusing = std::make_unique<SessionRefusingStore>(*db);
  refusing->refuseCycles = true;
  startMonitor();
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitForCycles(1));
  monitor->onDetached(usb("A"));
  onStrand([&](const FleetView& v, auto&) {
    ASSERT_EQ(v.devices.size(), 1u);
    EXPECT_FALSE(v.devices[0].connected);
    EXPECT_EQ(backupsInStore("A"), 0u);
  });
  advance(2s);  // the first retry is refused too
  onStrand([&](auto&, auto&) {
    EXPECT_EQ(backupsInStore("A"), 0u);
    EXPECT_NE(statusesInStore()["A"].backupState, BackupState::Ok) << "a refused status written";
    refusing->refuseCycles = false;
  });
  advance(2s);
  onStrand([&](auto&, auto&) {
    const auto stored = statusesInStore();
    ASSERT_EQ(stored.count("A"), 1u);
    EXPECT_FALSE(stored.at("A").connected);
    EXPECT_EQ(stored.at("A").backupState, BackupState::Ok);
    EXPECT_EQ(backupsInStore("A"), 1u);
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_TRUE(t->sessions[0].detached);
  });
  advance(2s);  // nothing left to retry: written once
  onStrand([&](auto&, auto&) { EXPECT_EQ(backupsInStore("A"), 1u); });
}

// The statuses made in one strand handler (housekeeping re-diagnoses every unplugged device) are
// written in one group commit, and no cycle or status is ever written on a commit of its own.
TEST_F(MonitorTest, StatusesMadeTogetherShareOneCommit) {
  refusing = std::make_unique<SessionRefusingStore>(*db);
  startMonitor();
  for (const char* u : {"A", "B", "C"}) monitor->onAttached(usb(u));
  ASSERT_TRUE(waitForCycles(3));
  for (const char* u : {"A", "B", "C"}) monitor->onDetached(usb(u));
  ASSERT_TRUE(waitFor([](const FleetView& v, auto&) {
    return v.devices.size() == 3 && std::none_of(v.devices.begin(), v.devices.end(),
                                                 [](const auto& d) { return d.connected; });
  }));
  onStrand([&](auto&, auto&) {
    EXPECT_EQ(refusing->writesOutsideGroups, 0);
    EXPECT_GE(refusing->groups.size(), 2u) << "attach and cycle writes went through groups";
    refusing->groups.clear();
  });
  advance(60s);  // housekeeping
  onStrand([&](auto&, auto&) {
    ASSERT_EQ(refusing->groups.size(), 1u);
    EXPECT_EQ(refusing->groups[0], (std::vector<std::string>{"status A", "status B", "status C"}));
    EXPECT_EQ(refusing->writesOutsideGroups, 0);
  });
}

// A group commit the store refuses loses nothing: its attach session is written by the session
// retry, its cycle by the store retry.
TEST_F(MonitorTest, RefusedGroupCommitIsRetried) {
  refusing = std::make_unique<SessionRefusingStore>(*db);
  refusing->refuseGroups = true;
  startMonitor();
  monitor->onAttached(usb("A"));
  ASSERT_TRUE(waitForCycles(1));
  onStrand([&](auto&, auto&) {
    EXPECT_FALSE(db->timeline("A")) << "nothing of a refused group written";
    refusing->refuseGroups = false;
  });
  advance(2s);
  onStrand([&](auto&, auto&) {
    EXPECT_EQ(backupsInStore("A"), 1u);
    auto t = db->timeline("A");
    ASSERT_TRUE(t);
    ASSERT_EQ(t->sessions.size(), 1u);
    EXPECT_EQ(t->sessions[0].attached, t0);
    ASSERT_EQ(statusesInStore().count("A"), 1u);
    EXPECT_EQ(statusesInStore().at("A").backupState, BackupState::Ok);
  });
}

}  // namespace
}  // namespace ibackupmon

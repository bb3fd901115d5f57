// SPDX-License-Identifier: Apache-2.0
#include "monitor_cycle.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "app/monitor.h"
#include "device/device_watcher.h"
#include "device/lockdown_connector.h"
#include "store/store.h"
#include "timing_store.h"

namespace ibackupmon::bench {
namespace {

int countUsbDevices() {
  auto listed = UsbmuxdLister().list();
  if (!listed) throw std::runtime_error("ListDevices failed: " + listed.error().message);
  int n = 0;
  for (const auto& d : *listed) n += d.network ? 0 : 1;
  return n;
}

Config cycleConfig(const MonitorCycleOptions& o) {
  Config config;
  config.probe.concurrency = o.concurrency;
  // One cycle only: the next periodic probe is an hour away. (Failed devices retry after 2 s
  // backoff; TimingStore counts each device's first cycle only.)
  config.probe.interval = std::chrono::hours(1);
  // A generated fleet has no hanging device: a generous timeout keeps a loaded CI machine from
  // turning a slow handshake into a timed-out "trust" outcome (which the check would flag).
  config.probe.timeout = std::chrono::seconds(120);
  config.storage.path = o.storePath;
  return config;
}

// The daemon's path in process: the store (SQLite or null) behind a TimingStore, a Monitor on
// its own io thread; stopped and joined when it goes out of scope.
class RunningMonitor {
 public:
  RunningMonitor(const MonitorCycleOptions& o, const Config& config) {
    if (!o.storePath.empty()) {
      auto opened = Store::open(o.storePath, OpenMode::ReadWrite);
      if (!opened) throw std::runtime_error(opened.error().message);
      sqlite_ = std::move(*opened);
    }
    store = std::make_unique<TimingStore>(sqlite_.get(), o.commitDelay);
    monitor = std::make_unique<Monitor>(MonitorDeps{io_,
                                                    *store,
                                                    std::make_shared<LockdownConnector>(),
                                                    std::make_shared<SystemClock>(),
                                                    {},
                                                    nullptr},
                                        config);
    if (auto started = monitor->start(); !started) {
      throw std::runtime_error("monitor start: " + started.error().message);
    }
    loop_ = std::thread([this] { io_.run(); });
  }
  ~RunningMonitor() {
    monitor->stop();
    work_.reset();
    io_.stop();
    loop_.join();
    monitor.reset();  // before the io_context its strand and timers live on
    store.reset();    // before the SQLite store it forwards to
  }
  RunningMonitor(const RunningMonitor&) = delete;
  RunningMonitor& operator=(const RunningMonitor&) = delete;

  std::unique_ptr<TimingStore> store;
  std::unique_ptr<Monitor> monitor;

 private:
  std::unique_ptr<Store> sqlite_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread loop_;
};

}  // namespace

LoopResult runMonitorCycle(const MonitorCycleOptions& o, const SimProcess& sim) {
  const Config config = cycleConfig(o);
  LoopResult r;
  r.devices = countUsbDevices();
  r.measured = r.devices;
  auto running = std::make_unique<RunningMonitor>(o, config);
  TimingStore& store = *running->store;
  Monitor& monitor = *running->monitor;

  const double cpu0 = processCpuSeconds();
  const double simCpu0 = sim.cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  int done = 0;
  {
    UsbmuxdEvents events;
    WatcherOptions watch;
    watch.networkDevices = config.probe.networkDevices;
    DeviceWatcher watcher(events, std::make_shared<UsbmuxdLister>(), monitor, watch);
    done = store.waitForFirstCycles(r.devices, std::chrono::seconds(o.deadlineSeconds));
    r.cpuSeconds = processCpuSeconds() - cpu0;
    r.simCpuSeconds = sim.cpuSeconds() - simCpu0;
    watcher.stop();
  }
  r.wallSeconds = std::chrono::duration<double>(store.lastDone() - t0).count();
  r.sessionsOk = store.sessionsOpened();
  r.failedSeconds = store.failedSeconds();
  running.reset();
  if (done < r.devices) {
    throw std::runtime_error("only " + std::to_string(done) + " of " + std::to_string(r.devices) +
                             " devices finished a cycle within " +
                             std::to_string(o.deadlineSeconds) + " s");
  }
  return r;
}

CartResult runCartAttach(const MonitorCycleOptions& o, SimProcess& sim, int cart,
                         int intervalSeconds) {
  std::vector<std::string> readable = sim.readableUsb();
  if (static_cast<int>(readable.size()) < cart) {
    throw std::runtime_error("the fleet has " + std::to_string(readable.size()) +
                             " readable devices, fewer than a cart of " + std::to_string(cart));
  }
  const std::vector<std::string> cartUdids(readable.end() - cart, readable.end());
  for (const auto& udid : cartUdids) sim.plug(udid, false);

  Config config = cycleConfig(o);
  config.probe.interval = std::chrono::seconds(intervalSeconds);
  CartResult r;
  r.known = countUsbDevices();
  r.cart = cart;
  RunningMonitor running(o, config);
  TimingStore& store = *running.store;
  Monitor& monitor = *running.monitor;
  const auto deadline = std::chrono::seconds(o.deadlineSeconds);
  int done = 0;
  std::vector<std::chrono::steady_clock::time_point> attachedAt;
  {
    UsbmuxdEvents events;
    WatcherOptions watch;
    watch.networkDevices = config.probe.networkDevices;
    DeviceWatcher watcher(events, std::make_shared<UsbmuxdLister>(), monitor, watch);
    done = store.waitForFirstCycles(r.known, deadline);
    if (done >= r.known) {
      // One interval on: every known device's re-probe has come due at least once.
      std::this_thread::sleep_for(std::chrono::seconds(intervalSeconds));
      // All at once, as a cart's hub powers up: one thread per attach command.
      attachedAt.resize(cartUdids.size());
      std::vector<std::thread> plugs;
      for (std::size_t i = 0; i < cartUdids.size(); ++i) {
        plugs.emplace_back([&, i] {
          attachedAt[i] = std::chrono::steady_clock::now();
          sim.plug(cartUdids[i], true);
        });
      }
      for (auto& t : plugs) t.join();
      done = store.waitForFirstCycles(r.known + cart, deadline);
    }
    watcher.stop();
  }
  if (done < r.known + cart) {
    throw std::runtime_error(
        "only " + std::to_string(done) + " of " + std::to_string(r.known + cart) +
        " devices finished a first cycle within " + std::to_string(o.deadlineSeconds) + " s");
  }
  std::vector<double> took;
  for (std::size_t i = 0; i < cartUdids.size(); ++i) {
    took.push_back(
        std::chrono::duration<double>(*store.doneAt(cartUdids[i]) - attachedAt[i]).count());
  }
  std::sort(took.begin(), took.end());
  r.p50Seconds = took[took.size() / 2];
  r.maxSeconds = took.back();
  const auto first = *std::min_element(attachedAt.begin(), attachedAt.end());
  r.attachSpreadSeconds =
      std::chrono::duration<double>(*std::max_element(attachedAt.begin(), attachedAt.end()) - first)
          .count();
  auto last = first;
  for (const auto& udid : cartUdids) last = std::max(last, *store.doneAt(udid));
  r.allRecordedSeconds = std::chrono::duration<double>(last - first).count();
  return r;
}

}  // namespace ibackupmon::bench

// SPDX-License-Identifier: Apache-2.0
#include "monitor_cycle.h"

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

}  // namespace

LoopResult runMonitorCycle(const MonitorCycleOptions& o, const SimProcess& sim) {
  std::unique_ptr<Store> sqlite;
  if (!o.storePath.empty()) {
    auto opened = Store::open(o.storePath, OpenMode::ReadWrite);
    if (!opened) throw std::runtime_error(opened.error().message);
    sqlite = std::move(*opened);
  }
  TimingStore store(sqlite.get());
  const Config config = cycleConfig(o);
  LoopResult r;
  r.devices = countUsbDevices();
  r.measured = r.devices;

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  Monitor monitor(MonitorDeps{io,
                              store,
                              std::make_shared<LockdownConnector>(),
                              std::make_shared<SystemClock>(),
                              {},
                              nullptr},
                  config);
  if (auto started = monitor.start(); !started) {
    throw std::runtime_error("monitor start: " + started.error().message);
  }
  std::thread loop([&io] { io.run(); });

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
  monitor.stop();
  work.reset();
  io.stop();
  loop.join();
  if (done < r.devices) {
    throw std::runtime_error("only " + std::to_string(done) + " of " + std::to_string(r.devices) +
                             " devices finished a cycle within " +
                             std::to_string(o.deadlineSeconds) + " s");
  }
  return r;
}

}  // namespace ibackupmon::bench

// SPDX-License-Identifier: Apache-2.0
#include "app/monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/history_tracker.h"
#include "app/monitor_entry.h"
#include "probes/probe_runner.h"
#include "store/store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

// First retry after a failed cycle; doubles per failure, capped at probe.interval.
constexpr auto kBackoffBase = 2s;

}  // namespace

Monitor::Monitor(MonitorDeps deps, const Config& config)
    : deps_(std::move(deps)),
      filter_({}, {}),
      strand_(boost::asio::make_strand(deps_.io)),
      timers_(deps_.timers ? deps_.timers : std::make_shared<AsioTimerService>()),
      sessions_(deps_.store, *timers_, strand_),
      pool_(config.probe.concurrency, config.probe.maxAbandonedWorkers),
      probes_(std::make_shared<const ProbeTable>(makeProbeTable())),
      alive_(std::make_shared<bool>(true)),
      sink_(std::make_shared<ResultSink>()),
      wakeTimer_(timers_->makeTimer(strand_)),
      tickTimer_(timers_->makeTimer(strand_)),
      publishTimer_(timers_->makeTimer(strand_)),
      storeTimer_(timers_->makeTimer(strand_)) {
  loadConfig(config);
  // Called on a worker's thread, under the sink's lock: stop() closes the sink before the
  // Monitor goes, so `this` is alive here; the handler itself is guarded.
  sink_->deliver = [this](std::string udid, std::uint64_t cycle, CycleResult result) {
    post([this, udid = std::move(udid), cycle,
          result = std::move(result)]() mutable { onResult(udid, cycle, std::move(result)); },
         AfterStop::Run);
  };
  if (deps_.actions != nullptr) {
    ledger_ = std::make_unique<RemediationLedger>(*deps_.actions, deps_.clock);
  }
}

Monitor::~Monitor() {
  stop();
  {
    std::lock_guard lock(life_->mutex);  // a handler under way on another thread finishes first
    life_->alive = false;
  }
  alive_.reset();
}

void Monitor::stop() {
  sink_->close();
  if (stopped_) return;
  stopped_ = true;
  sessions_.stop();
  sysfsThread_.stop();  // a scan under way finishes; its result is dropped by the guard
  wakeTimer_->cancel();
  tickTimer_->cancel();
  publishTimer_->cancel();
  storeTimer_->cancel();
  if (restartWatch_ && restartWatch_->timer) restartWatch_->timer->cancel();
  stopLocalBackups();
  for (auto& [udid, e] : devices_) {
    if (e->timeout) e->timeout->cancel();
  }
}

// Foreign threads (the watcher) only post; the handlers run on the strand.
void Monitor::onAttached(const DeviceRef& device) {
  post([this, device, at = deps_.clock->now()] { attach(device, at); });
}

void Monitor::onDetached(const DeviceRef& device) {
  post([this, device, at = deps_.clock->now()] { detach(device, at); });
}

void Monitor::onUsbmuxd(bool up) {
  post([this, up] {
    if (usbmuxdUp_ == up) return;
    usbmuxdUp_ = up;
    if (up) {
      spdlog::info("usbmuxd is up");
    } else {
      spdlog::warn("usbmuxd went away; devices are marked disconnected until it returns");
    }
    publishSoon();
  });
}

void Monitor::inspect(std::function<void(const FleetView&, const MonitorStats&)> fn) {
  post([this, fn = std::move(fn)] {
    MonitorStats s = stats_;
    s.inFlight = inFlight_;
    s.poolCapacity = pool_.capacity();
    fn(view(), s);
  });
}

bool Monitor::move(Entry& e, LifecycleEvent event) {
  const auto next = transition(e.state, event);
  if (!next) return true;
  spdlog::debug("device {}: {} --{}--> {}", e.udid, toString(e.state), toString(event),
                toString(*next));
  e.state = *next;
  if (e.state != LifecycleState::Gone) return true;
  devices_.erase(e.udid);  // e is gone from here on
  return false;
}

void Monitor::attach(const DeviceRef& device, TimePoint now) {
  if (auto ex = excluded_.find(device.udid); ex != excluded_.end()) {
    ex->second = device;
    return;
  }
  auto& owned = devices_[device.udid];
  if (!owned) {
    owned = std::make_unique<Entry>();
    owned->udid = device.udid;
    owned->history.udid = device.udid;
  }
  Entry& e = *owned;
  e.ref = device;
  const auto& last = e.history.lastSnapshot;
  const auto name = last ? last->identity.name : std::nullopt;
  if (!admit(e, name, true)) return;
  move(e, LifecycleEvent::Attach);
  noteAttached(e.history, now);
  // Until the name is known the device may be a staff phone: probe it, record nothing yet.
  e.pendingName = filter_.decide(e.udid, name) == FilterDecision::NeedName;
  if (!e.pendingName) recordAttach(e, now);
  if (e.latest) e.latest->connected = false;  // read before the replug: not live any more
  e.nextProbe = timers_->now();
  e.freshAttach = true;
  e.backoffLevel = 0;
  e.needsPasscode = false;
  e.passcodeTried = false;
  spdlog::info("device {} attached{}", device.udid, device.network ? " (network)" : "");
  noteRestartAttach(device.udid);
  if (!e.pendingName) rediagnose(e);
  if (!device.network) requestUsbScan();  // where it was is no news: its slot comes from sysfs
  pump();
}

void Monitor::recordAttach(Entry& e, TimePoint at) {
  recordSession({e.udid, SessionEvent::Attached, at});
  // A port found while the device waited for its name belongs to this first session.
  if (e.slot) recordSession({e.udid, SessionEvent::Located, at, e.slot->port, e.slot->label});
}

void Monitor::detach(const DeviceRef& device, TimePoint now) {
  excluded_.erase(device.udid);
  auto it = devices_.find(device.udid);
  if (it == devices_.end() || !it->second->attached()) return;
  Entry& e = *it->second;
  move(e, LifecycleEvent::Detach);
  noteDetached(e.history, now);
  if (e.pendingName) {  // never admitted: nothing was recorded, nothing to close
    if (!hasWorkerOut(e.state)) devices_.erase(it);
    return;
  }
  recordSession({device.udid, SessionEvent::Detached, now});
  noteRestartDetach(device.udid);
  noteLocalBackupDetach(device.udid);
  if (e.latest) e.latest->connected = false;
  e.slot.reset();
  spdlog::info("device {} detached", device.udid);
  rediagnose(e);
}

void Monitor::pump() {
  if (stopped_) return;
  const auto now = timers_->now();
  std::vector<Entry*> due;
  for (auto& [udid, e] : devices_) {
    if (!e->attached() || !waitsForDueTime(e->state) || e->nextProbe > now) continue;
    if (backingUp(e->udid)) continue;  // not probed while backed up; nothing counts as missed
    if (e->state == LifecycleState::Abandoned) {
      noteStillStuck(*e);
    } else {
      due.push_back(e.get());
    }
  }
  // A device just plugged in is what an admin waits for (a cart of 30 at once): those go first,
  // in the order they came, then periodic re-probes and retries by due time. Only as many as
  // there are free threads are put in order (a first cycle has the whole fleet due at once).
  const auto slots = static_cast<std::size_t>(std::max(pool_.capacity() - inFlight_, 0));
  const auto take = due.begin() + static_cast<std::ptrdiff_t>(std::min(slots, due.size()));
  std::partial_sort(due.begin(), take, due.end(), [](const Entry* a, const Entry* b) {
    if (a->freshAttach != b->freshAttach) return a->freshAttach;
    return a->nextProbe < b->nextProbe;
  });
  for (auto it = due.begin(); it != take; ++it) dispatch(**it);
  armWake();
}

void Monitor::dispatch(Entry& e) {
  const std::uint64_t cycle = nextCycle_++;
  move(e, LifecycleEvent::Dispatch);
  e.freshAttach = false;
  e.cycle = cycle;
  e.dispatchedAt = timers_->now();
  ++inFlight_;
  const SessionOptions options{config_.probe.pair};
  std::optional<RemediationAction> action;
  if (e.pendingAction) {
    sendingAction(e);
    action = e.actionOut->action;
  }
  e.poolJob = pool_.submit([connector = deps_.connector, probes = probes_, clock = deps_.clock,
                            sink = sink_, ref = e.ref, options, cycle, action] {
    CycleResult result;
    if (action) {
      // The request goes first, on its own session; after a restart request nothing is read
      // (the device is going away), after the others the cycle's reads verify it.
      result.actionSent = true;
      auto session = connector->open(ref, options);
      Expected<void> done =
          session ? (*action == RemediationAction::Restart ? (*session)->restart()
                                                           : (*session)->enableCloudBackup())
                  : Expected<void>(tl::unexpected(session.error()));
      if (!done) result.actionError = done.error();
    }
    if (action != RemediationAction::Restart) {
      result.snapshot = runProbeCycle(*connector, ref, options, *probes, *clock);
    }
    sink->send(ref.udid, cycle, std::move(result));
  });
  if (!e.timeout) e.timeout = timers_->makeTimer(strand_);
  arm(*e.timeout, std::chrono::duration_cast<std::chrono::milliseconds>(config_.probe.timeout),
      [this, udid = e.udid, cycle] { onTimeout(udid, cycle); });
}

void Monitor::onTimeout(const std::string& udid, std::uint64_t cycle) {
  auto it = devices_.find(udid);
  if (it == devices_.end()) return;
  Entry& e = *it->second;
  if (e.cycle != cycle || !hasWorkerOut(e.state) || isWrittenOff(e.state)) return;
  const auto verdict = pool_.abandon(e.poolJob);
  if (verdict == ProbePool::Abandon::NotRunning) return;  // its result is already on the way
  move(e, LifecycleEvent::Abandon);
  --inFlight_;
  ++stats_.timeouts;
  ++stats_.abandonedWorkers;
  const auto secs = config_.probe.timeout.count();
  spdlog::warn("device {}: no answer within {}s; its worker is abandoned ({} stuck now)", udid,
               secs, pool_.abandonedAlive());
  if (verdict == ProbePool::Abandon::CapReached) {
    spdlog::error("probe.max_abandoned_workers ({}) reached: probing with {} of {} threads",
                  config_.probe.maxAbandonedWorkers, pool_.capacity(), config_.probe.concurrency);
  }
  for (auto* o : deps_.observers) o->onWorkerAbandoned(udid);
  if (e.actionOut) {
    auto run = std::move(*e.actionOut);
    e.actionOut.reset();
    if (run.action == RemediationAction::Restart) endRestartWatch(ActionResult::Failed, "");
    finishAction(run, udid, ActionResult::Failed, "timeout", "");
  }
  failCycle(e, "no answer within " + std::to_string(secs) + "s", static_cast<double>(secs));
  pump();
}

// A cycle that produced nothing (timed out, or its worker is still stuck) counts as a failure.
void Monitor::failCycle(Entry& e, const std::string& detail, double seconds) {
  DeviceSnapshot snap;
  snap.identity.udid = e.udid;
  snap.takenAt = deps_.clock->now();
  snap.connected = true;
  snap.network = e.ref.network;
  snap.probes.push_back(ProbeOutcome{"trust", ProbeStatus::Error, "timeout", detail, seconds});
  if (!e.pendingName) process(e, std::move(snap));
  scheduleNext(e, false);
  move(e, LifecycleEvent::CycleFailed);
}

// At most one probe per device is in flight, so a device whose worker is stuck for good (a TLS
// handshake that never ends) is not probed again; each cycle it misses still counts as failed,
// or it would stay at one failure forever and never be reported probe_failing.
void Monitor::noteStillStuck(Entry& e) {
  const auto stuck =
      std::chrono::duration_cast<std::chrono::seconds>(timers_->now() - e.dispatchedAt);
  failCycle(e, "the probe started " + std::to_string(stuck.count()) + "s ago has not returned",
            0.0);
}

void Monitor::onResult(const std::string& udid, std::uint64_t cycle, CycleResult result) {
  auto it = devices_.find(udid);
  if (it == devices_.end()) return;
  Entry& e = *it->second;
  if (e.cycle != cycle || !hasWorkerOut(e.state)) return;
  if (isWrittenOff(e.state)) {  // a written-off worker came back: its news is stale
    move(e, LifecycleEvent::WorkerBack);
    pump();
    return;
  }
  --inFlight_;
  ++stats_.cyclesCompleted;
  if (e.timeout) e.timeout->cancel();
  // The freed thread takes the next due device now, while this result is diagnosed and written
  // (one synced commit): workers do not wait for the store. This device is still out (its state
  // says so until the move below), so it is not among them.
  pump();
  if (e.actionOut) {
    auto run = std::move(*e.actionOut);
    e.actionOut.reset();
    settleAction(e, std::move(run), result);
  }
  if (!result.snapshot) {  // a restart request went out; nothing was read
    const bool leaving = isLeaving(e.state);
    if (move(e, leaving ? LifecycleEvent::CycleFailed : LifecycleEvent::CycleOk) && !leaving) {
      scheduleNext(e, true);
    }
    pump();
    return;
  }
  DeviceSnapshot& snapshot = *result.snapshot;
  const bool ok = cycleSucceeded(snapshot);
  if (isLeaving(e.state)) {  // forgotten or excluded meanwhile: nothing more to record
    move(e, LifecycleEvent::CycleFailed);
    pump();
    return;
  }
  move(e, ok ? LifecycleEvent::CycleOk : LifecycleEvent::CycleFailed);
  if (admit(e, snapshot.identity.name, e.attached())) {
    if (e.pendingName) {
      e.pendingName = false;
      if (e.attached()) recordAttach(e, e.history.lastSeen.value_or(snapshot.takenAt));
    }
    process(e, std::move(snapshot));
    scheduleNext(e, ok);
    noteRestartCycle(e);
    considerRemediation(e);
    considerLocalBackup(e);
  }
  pump();
}

void Monitor::scheduleNext(Entry& e, bool ok) {
  const auto interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.probe.interval);
  std::chrono::milliseconds delay = interval;
  if (ok) {
    e.backoffLevel = 0;
  } else {
    e.backoffLevel = std::min(e.backoffLevel + 1, 30);
    const auto backoff =
        std::chrono::milliseconds(kBackoffBase) * (1LL << std::min(e.backoffLevel - 1, 20));
    delay = std::min(interval, std::chrono::duration_cast<std::chrono::milliseconds>(backoff));
  }
  e.nextProbe = timers_->now() + delay;
}

void Monitor::armWake() {
  // Devices already due wait for a free thread: every finished or abandoned cycle pumps again,
  // so only future due times need the timer (arming it for "now" would spin).
  const auto now = timers_->now();
  std::optional<Time> next;
  for (const auto& [udid, e] : devices_) {
    if (e->attached() && waitsForDueTime(e->state) && e->nextProbe > now && !backingUp(udid) &&
        (!next || e->nextProbe < *next)) {
      next = e->nextProbe;
    }
  }
  if (!next) return;
  wakeTimer_->schedule(*next, guarded([this] { pump(); }));
}

}  // namespace ibackupmon

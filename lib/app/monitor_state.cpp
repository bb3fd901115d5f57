// SPDX-License-Identifier: Apache-2.0
// Monitor: what happens after a cycle: history, store, diagnosis, observers; and config.
#include <spdlog/spdlog.h>

#include "app/external_facts.h"
#include "app/history_tracker.h"
#include "app/monitor.h"
#include "app/monitor_entry.h"
#include "core/duration.h"
#include "core/time_format.h"
#include "diagnosis/status_builder.h"
#include "store/store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

// Observers get the whole fleet at most this often: with 1000 devices, one view per probe result
// would copy a million rows per cycle.
constexpr auto kPublishDelay = 100ms;
// A cycle or status the store refused (locked, full) is written again this often until it is.
constexpr auto kStoreRetry = std::chrono::milliseconds(2s);

std::string firstReadError(const DeviceSnapshot& s) {
  for (const auto& p : s.probes) {
    if (p.status == ProbeStatus::Error) return p.probe + ": " + p.error + " " + p.detail;
  }
  return "no read answered";
}

std::optional<TimePoint> futureDate(const std::optional<DeviceSnapshot>& s) {
  if (!s || !s->backup) return std::nullopt;
  const auto& b = *s->backup;
  return b.futureCloudBackup ? b.futureCloudBackup : b.futureComputerBackup;
}

// One line when a streak of failed cycles starts with a session that opened (open errors and
// timeouts are logged where they happen), and when a device starts reporting an impossible date.
void logCycle(const std::string& udid, const DeviceHistory& h, const DeviceSnapshot& s,
              const std::optional<DeviceSnapshot>& previous) {
  if (s.trust == TrustState::Trusted && !deviceAnswered(s) && h.consecutiveProbeFailures == 1) {
    spdlog::warn(
        "device {}: the session opened but every read failed ({}); counted as a failed "
        "probe",
        udid, firstReadError(s));
  }
  if (const auto future = futureDate(s); future && future != futureDate(previous)) {
    spdlog::warn("device {}: reports a backup date in the future ({}); not taken as a backup", udid,
                 formatRfc3339(*future));
  }
}

// A device that sends garbage sends it every cycle: one warning per key and hour is enough.
constexpr auto kInvalidValueLogEvery = std::chrono::hours(1);

void logInvalidValues(const std::string& udid, const DeviceSnapshot& snapshot,
                      TimerService::Time now,
                      std::map<std::string, TimerService::Time>& lastLogged) {
  for (const auto& p : snapshot.probes) {
    for (const auto& v : p.invalid) {
      auto [it, fresh] = lastLogged.try_emplace(v.domain + " " + v.key, now);
      if (!fresh && now - it->second < kInvalidValueLogEvery) continue;
      it->second = now;
      spdlog::warn("device {}: unusable {} value for {} (left unknown): {}", udid, v.type, v.key,
                   v.detail);
    }
  }
}

}  // namespace

void Monitor::loadConfig(const Config& config) {
  if (const auto& r = config.remediation; r.anyActionEnabled()) {
    spdlog::info("remediation: enable_icloud_backup {}, restart {}{}",
                 r.enableIcloudBackup ? "on" : "off",
                 r.restartAfter > Duration::zero() ? "after " + formatDuration(r.restartAfter)
                                                   : std::string("off"),
                 r.dryRun ? " (dry run: nothing is sent to a device)" : "");
  }
  config_ = config;
  diagnosis_ = diagnosisConfigFrom(config);
  filter_ = DeviceFilter(config.probe.include, config.probe.exclude);
  settings_.clear();
  for (const auto& s : config.devices) settings_[s.udid] = s;
}

void Monitor::process(Entry& e, DeviceSnapshot snapshot) {
  snapshot.connected = snapshot.connected && e.attached();
  setAsideFutureDates(snapshot, diagnosis_.clockSkew);
  noteProbe(e.history, snapshot);
  logCycle(e.udid, e.history, snapshot, e.latest);
  logInvalidValues(e.udid, snapshot, timers_->now(), e.invalidLogged);
  for (auto* o : deps_.observers) {
    for (const auto& p : snapshot.probes) o->onProbeOutcome(p);
  }
  e.latest = std::move(snapshot);
  // Every cycle, candidate or not: an action decided later must know the device was locked.
  if (e.latest->connected && e.latest->trust == TrustState::PasscodeLocked) e.everSeenLocked = true;
  e.status = evaluate(e, deps_.clock->now());
  // Snapshot, condition intervals and status in one transaction, with whatever else is queued.
  queueWrite(e, true, e.latest->takenAt);
  publishSoon();
}

void Monitor::rediagnose(Entry& e) {
  const TimePoint now = deps_.clock->now();
  e.status = evaluate(e, now);
  queueWrite(e, false, now);
  publishSoon();
}

void Monitor::queueWrite(Entry& e, bool cycle, TimePoint at) {
  writes_.push_back(PendingWrite{e.udid, cycle ? e.latest : std::nullopt, *e.status, at});
  postWrites();
}

void Monitor::recordSession(SessionEvent event) {
  sessions_.queue(std::move(event));
  postWrites();
}

void Monitor::postWrites() {
  if (writesPosted_) return;
  writesPosted_ = true;
  // Runs after stop() too: a cycle or status the monitor made is never dropped.
  post([this] { writeQueued(); }, AfterStop::Run);
}

void Monitor::writeQueued() {
  writesPosted_ = false;
  if (writes_.empty() && sessions_.pending() == 0) return;
  std::vector<PendingWrite> group;
  group.swap(writes_);
  std::vector<Expected<void>> written(group.size());
  std::size_t sessionsWritten = 0;
  auto committed = deps_.store.inOneCommit([&] {
    sessionsWritten = sessions_.writeQueued();
    for (std::size_t i = 0; i < group.size(); ++i) {
      const PendingWrite& w = group[i];
      if (w.snapshot) {
        auto r = deps_.store.recordCycle(*w.snapshot, w.status.conditions, w.status);
        if (!r) written[i] = tl::unexpected(r.error());
      } else {
        written[i] = deps_.store.recordStatus(w.udid, w.status.conditions, w.status, w.at);
      }
    }
  });
  sessions_.settle(committed ? sessionsWritten : 0);
  if (!committed) {
    spdlog::error("store: {} ({} device record(s) kept and retried)", committed.error().message,
                  group.size() + sessions_.pending());
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    const PendingWrite& w = group[i];
    const Expected<void>& r = committed ? written[i] : committed;
    auto it = devices_.find(w.udid);
    if (it == devices_.end()) {  // forgotten meanwhile: nothing left to retry it from
      if (!r) spdlog::error("store: the last record of {} was not written", w.udid);
      continue;
    }
    Entry& e = *it->second;
    if (r) {
      if (w.snapshot || e.unwritten == Entry::Unwritten::Status) {
        e.unwritten = Entry::Unwritten::None;
      }
    } else {
      if (committed) spdlog::error("store: {}", r.error().message);
      storeBehind(e, w.snapshot.has_value());
    }
  }
}

void Monitor::storeBehind(Entry& e, bool cycle) {
  if (cycle || e.unwritten == Entry::Unwritten::None) {
    e.unwritten = cycle ? Entry::Unwritten::Cycle : Entry::Unwritten::Status;
  }
  if (storeRetryArmed_ || stopped_) return;
  storeRetryArmed_ = true;
  arm(*storeTimer_, kStoreRetry, [this] {
    storeRetryArmed_ = false;
    retryStore();
  });
}

// The device's newest cycle and status, as the next cycle would write them: a backup it reported
// before it was unplugged is recorded once (keyed by its date), its intervals keep their times.
void Monitor::retryStore() {
  for (auto& [udid, owned] : devices_) {
    Entry& e = *owned;
    if (e.unwritten == Entry::Unwritten::None || !e.status) continue;
    Expected<void> written;
    if (e.unwritten == Entry::Unwritten::Cycle && e.latest) {
      auto r = deps_.store.recordCycle(*e.latest, e.status->conditions, *e.status);
      if (!r) written = tl::unexpected(r.error());
    } else {
      written =
          deps_.store.recordStatus(e.udid, e.status->conditions, *e.status, deps_.clock->now());
    }
    if (!written) {  // still refused: the others would wait the same busy timeout
      spdlog::error("store: {} (the newest state of {} is kept and retried)",
                    written.error().message, e.udid);
      storeBehind(e, e.unwritten == Entry::Unwritten::Cycle);
      return;
    }
    e.unwritten = Entry::Unwritten::None;
  }
}

DeviceStatus Monitor::evaluate(Entry& e, TimePoint now) {
  DiagnosisInput in;
  in.udid = e.udid;
  in.snapshot = e.latest;
  in.history = e.history;
  if (auto it = settings_.find(e.udid); it != settings_.end()) in.setting = it->second;
  in.slot = e.slot;
  in.icloudBackupTurnedOnAt = turnedOnAt(e.udid);
  in.lastAction = lastAction(e);
  if (auto it = localRecords_.find(e.udid); it != localRecords_.end()) {
    const auto& r = it->second;
    in.localBackup =
        LocalBackupFacts{r.finishedAt, r.bytes, r.failuresInRow, r.lastReason, r.lastEndedAt};
  }
  if (deps_.externalFacts != nullptr) {
    const auto& last = e.latest ? e.latest : e.history.lastSnapshot;
    in.external =
        deps_.externalFacts->factsFor(last ? last->identity.productType : std::nullopt, now);
  }
  auto conditions = diagnose(in, diagnosis_, now);
  noteConditions(e.history, conditions);
  DeviceStatus status = buildStatus(in, diagnosis_, std::move(conditions), now);
  if (auto run = localRuns_.find(e.udid); run != localRuns_.end()) {
    status.localBackupSince = run->second->startedAt;
  }
  return status;
}

FleetView Monitor::view() const {
  FleetView v;
  v.usbmuxdUp = usbmuxdUp_;
  v.usbmuxdWedgedSince = usbmuxdWedgedSince_;
  v.remediation = remediationView();
  v.localBackup = localBackupView();
  v.at = deps_.clock->now();
  v.devices.reserve(devices_.size());
  for (const auto& [udid, e] : devices_) {
    if (e->status) v.devices.push_back(*e->status);
  }
  sortFleet(v.devices, diagnosis_.expect);
  return v;
}

void Monitor::publishSoon() {
  if (publishPending_ || stopped_ || deps_.observers.empty()) return;
  publishPending_ = true;
  arm(*publishTimer_, kPublishDelay, [this] {
    publishPending_ = false;
    const FleetView v = view();
    for (auto* o : deps_.observers) o->onFleetStatus(v);
  });
}

// Include/exclude: a device the filter rejects leaves the live fleet (its history stays in the
// store until retention) and is remembered as excluded while attached.
bool Monitor::admit(Entry& e, const std::optional<std::string>& name, bool attachedNow) {
  if (filter_.decide(e.udid, name) != FilterDecision::Exclude) return true;
  spdlog::info("device {}{} is excluded by [probe] include/exclude", e.udid,
               name ? " (\"" + *name + "\")" : std::string());
  if (attachedNow) excluded_[e.udid] = e.ref;
  if (e.status) {
    writeQueued();  // its queued records first, or they would bring it back
    if (auto r = deps_.store.forget(e.udid, deps_.clock->now()); !r) {
      spdlog::error("store: {}", r.error().message);
    }
  }
  move(e, LifecycleEvent::Forget);  // gone now, or once its worker returns
  publishSoon();
  return false;
}

void Monitor::applyConfig(const Config& config) {
  post([this, config] {
    const bool newRoot = config.host.sysfsRoot != config_.host.sysfsRoot;
    loadConfig(config);
    if (newRoot) requestUsbScan();
    pool_.resize(config.probe.concurrency);
    std::vector<std::string> udids;
    for (const auto& [udid, e] : devices_) udids.push_back(udid);
    for (const auto& udid : udids) {
      auto it = devices_.find(udid);
      if (it == devices_.end() || isLeaving(it->second->state)) continue;
      Entry& e = *it->second;
      const auto& last = e.history.lastSnapshot;
      if (!admit(e, last ? last->identity.name : std::nullopt, e.attached())) continue;
      const auto slot = e.slot;
      updateSlot(e);  // [[slot]] labels may have changed; re-diagnoses when the slot did
      if (e.slot == slot) rediagnose(e);
    }
    auto excluded = std::move(excluded_);
    excluded_.clear();
    const TimePoint now = deps_.clock->now();
    for (const auto& [udid, ref] : excluded) attach(ref, now);  // re-filtered with the new lists
    pump();
  });
}

}  // namespace ibackupmon

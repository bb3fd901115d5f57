// SPDX-License-Identifier: Apache-2.0
// Monitor: periodic work that needs no probe: re-diagnosis of devices that are not attached
// (device_missing, staleness grows without probes), forget_after, and retention pruning.
#include <spdlog/spdlog.h>

#include "app/monitor.h"
#include "app/monitor_entry.h"
#include "store/store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

// Rows deleted per store call: small, so probe results interleave with pruning on the strand.
constexpr int kPruneBatch = 500;
// The first housekeeping pass waits for the watcher's initial list.
constexpr auto kFirstTick = 5s;
// A retention sweep checks every device's rows (hundreds of ms on a year-old database, on the
// strand that also records probe results), so it runs at most this often.
constexpr auto kPruneEvery = 1h;

}  // namespace

Expected<void> Monitor::start() {
  const TimePoint now = deps_.clock->now();
  // Sessions left open by a crash or power cut end now: the watcher re-opens the real ones.
  if (auto r = deps_.store.closeAllSessions(now); !r) return tl::unexpected(r.error());
  auto histories = deps_.store.loadAllHistories();
  if (!histories) return tl::unexpected(histories.error());
  for (auto& h : *histories) {
    auto e = std::make_unique<Entry>();
    e->udid = h.udid;
    e->history = std::move(h);
    e->history.connected = false;
    devices_[e->udid] = std::move(e);
  }
  spdlog::info("monitor: {} known devices loaded", devices_.size());
  startRemediation();
  startLocalBackups();
  const auto interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.probe.interval);
  post([this, interval] { armTick(std::min<std::chrono::milliseconds>(interval, kFirstTick)); });
  return {};
}

void Monitor::armTick(std::chrono::milliseconds delay) {
  if (stopped_) return;
  arm(*tickTimer_, delay, [this] { tick(); });
}

void Monitor::tick() {
  const TimePoint now = deps_.clock->now();
  requestUsbScan();  // a link renegotiated or a port relabelled without an attach
  for (auto& [udid, e] : devices_) {
    if (e->state == LifecycleState::Detached) rediagnose(*e);
  }
  writeQueued();  // the statuses just made, before anything is forgotten
  if (auto forgotten = deps_.store.forgetUnseenSince(now - config_.storage.forgetAfter)) {
    for (const auto& udid : *forgotten) {
      auto it = devices_.find(udid);
      if (it == devices_.end() || it->second->attached()) continue;
      spdlog::info("device {} not seen for {}: forgotten (history kept)", udid,
                   formatDuration(config_.storage.forgetAfter));
      move(*it->second, LifecycleEvent::Forget);
    }
  } else {
    spdlog::error("store: {}", forgotten.error().message);
  }
  dropForgotten();
  dropOldLocalBackups(now);
  if (!pruning_ && (!lastPruneSweep_ || now - *lastPruneSweep_ >= kPruneEvery)) {
    lastPruneSweep_ = now;
    pruning_ = true;
    pruneBatch(now - config_.storage.retention);
  }
  publishSoon();
  armTick(std::chrono::duration_cast<std::chrono::milliseconds>(config_.probe.interval));
}

// `ibackupmonctl forget` writes the database while the daemon runs: a device forgotten there
// leaves the live fleet (and so the metrics) at the next tick, as status already hides it. An
// attached device stays until it detaches (attaching again un-forgets it in the store).
void Monitor::dropForgotten() {
  auto forgotten = deps_.store.forgottenUdids();
  if (!forgotten) {
    spdlog::error("store: {}", forgotten.error().message);
    return;
  }
  for (const auto& udid : *forgotten) {
    auto it = devices_.find(udid);
    if (it == devices_.end() || it->second->attached() || isLeaving(it->second->state)) continue;
    spdlog::info("device {} was forgotten (ibackupmonctl forget): history kept", udid);
    move(*it->second, LifecycleEvent::Forget);
  }
}

void Monitor::pruneBatch(TimePoint cutoff) {
  auto r = deps_.store.pruneBefore(cutoff, kPruneBatch);
  if (!r) spdlog::error("store: {}", r.error().message);
  if (!r || !r->more || stopped_) {
    pruning_ = false;
    return;
  }
  post([this, cutoff] { pruneBatch(cutoff); });
}

}  // namespace ibackupmon

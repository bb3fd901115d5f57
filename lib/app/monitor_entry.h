// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Internal to the Monitor: what it keeps per device, and the channel workers report through.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

#include "app/monitor.h"
#include "backup/backup_child.h"

namespace ibackupmon {

struct Monitor::Entry {
  std::string udid;
  DeviceRef ref;
  LifecycleState state = LifecycleState::Detached;  // moved only by Monitor::move
  bool pendingName = false;  // the filter needs DeviceName: probed, not yet recorded
  DeviceHistory history;
  std::optional<DeviceSnapshot> latest;  // newest cycle of this run
  std::optional<DeviceStatus> status;
  std::optional<DeviceSlot> slot;  // where it is attached now (USB), from the last sysfs scan
  Time nextProbe{};                // when it is probed next (or, Abandoned, counted as failed next)
  int backoffLevel = 0;            // failed cycles in a row; 0 after a good one or an attach
  bool freshAttach = false;        // attached and not yet dispatched since: goes before re-probes
  // The cycle out (hasWorkerOut(state)): its id, the pool's id for it, when it began.
  std::uint64_t cycle = 0;
  std::uint64_t poolJob = 0;
  Time dispatchedAt{};
  std::unique_ptr<TimerService::Timer> timeout;
  // What the store has not taken yet (database locked, disk full): the latest cycle (snapshot,
  // conditions, status) or only the status. Rewritten by the next cycle or by the store retry.
  enum class Unwritten { None, Status, Cycle } unwritten = Unwritten::None;
  // "domain key" -> when an unusable value of it was last logged (one warning per hour and key).
  std::map<std::string, Time> invalidLogged;
  // Remediation: an action waiting for the next dispatch, or the one out with the cycle.
  std::optional<ActionRun> pendingAction;
  std::optional<ActionRun> actionOut;
  std::optional<bool> everSeenLocked;  // from the audit trail's view of the store, then kept
  // Its newest finished action (remediation_failed); the outer optional: loaded yet.
  std::optional<std::optional<ActionRecord>> lastAction;

  // Local backups: a run ended in 208 since this attach (never retried until a replug); a
  // passcode device was tried once this attach (try_passcode_devices).
  bool needsPasscode = false;
  bool passcodeTried = false;

  bool attached() const { return isAttached(state); }
};

/// A local backup going on: the child, and what its callbacks hand over from its thread.
struct Monitor::LocalRun {
  std::int64_t row = 0;  // its audit row
  bool full = false;
  bool preserved = false;  // the last finished backup was kept aside before the run
  bool detached = false;   // the device went away during the run
  bool lowSpace = false;   // stopped because the volume fell below min_free_space
  TimePoint startedAt{};
  int percent = 0;  // idevicebackup2's progress, 0..100
  std::atomic<int> lastPercent{-1};
  std::mutex mutex;
  std::optional<backup::ChildResult> result;  // under mutex: read at stop()
  std::unique_ptr<backup::BackupChild> child;
};

/// Workers hand results over here; after close() nothing reaches the (maybe destroyed) Monitor.
struct Monitor::ResultSink {
  using Deliver = std::function<void(std::string, std::uint64_t, CycleResult)>;
  std::mutex mutex;
  Deliver deliver;

  void send(std::string udid, std::uint64_t cycle, CycleResult result) {
    std::lock_guard lock(mutex);
    if (deliver) deliver(std::move(udid), cycle, std::move(result));
  }
  void close() {
    std::lock_guard lock(mutex);
    deliver = nullptr;
  }
};

}  // namespace ibackupmon

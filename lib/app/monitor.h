// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The heart of the daemon: usbmuxd events -> probe cycles on a bounded pool -> store ->
/// diagnosis -> store -> FleetObservers. One strand owns all state; the watcher's threads and
/// the pool's workers only post to it.
///
///   Monitor m(MonitorDeps{io, store, connector, clock, observers}, config);
///   m.start();                       // loads histories from the store
///   DeviceWatcher w(events, lister, m, opts);   // feeds m.onAttached / onDetached / onUsbmuxd

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <vector>

#include "app/asio.h"
#include "app/control_commands.h"
#include "app/device_filter.h"
#include "app/device_lifecycle.h"
#include "app/external_facts.h"
#include "app/probe_pool.h"
#include "app/remediation_ledger.h"
#include "app/session_recorder.h"
#include "app/timer_service.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/fleet_observer.h"
#include "device/device_watcher.h"
#include "device/usb_ports.h"
#include "device/usbmuxd_ping.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/local_backup_decision.h"
#include "probes/probe_table.h"

namespace ibackupmon {

namespace backup {
struct ChildResult;
class BackupChild;
}  // namespace backup
class ExternalFactsProvider;
class Store;

struct MonitorDeps {
  boost::asio::io_context& io;
  Store& store;
  std::shared_ptr<DeviceConnector> connector;
  std::shared_ptr<const Clock> clock;
  std::vector<FleetObserver*> observers;
  /// Outside facts for the diagnosis (feeds component); nullptr = none known.
  const ExternalFactsProvider* externalFacts = nullptr;
  /// Probe due times, backoff, the probe timeout and the periodic work run on this monotonic
  /// time, so setting the wall clock never delays or hurries them; `clock` only dates what is
  /// recorded and diagnosed. nullptr = steady-clock asio timers. Tests pass a manual one that
  /// moves with their `clock`.
  std::shared_ptr<TimerService> timers = nullptr;
  /// The audit trail of remediation, on its own connection; nullptr = the monitor never acts on
  /// a device (docs/remediation.md).
  ActionRepository* actions = nullptr;
};

/// Counters for logs, tests and the bench.
struct MonitorStats {
  std::uint64_t cyclesCompleted = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t abandonedWorkers = 0;
  int inFlight = 0;
  int poolCapacity = 0;
};

class Monitor final : public WatcherListener {
 public:
  Monitor(MonitorDeps deps, const Config& config);
  ~Monitor() override;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  /// Loads every known device's history from the store and starts the periodic work.
  /// Call from the loop's thread before it runs (or on the strand).
  Expected<void> start();
  /// Cancels timers and drops results still on their way; never waits for a worker.
  void stop();
  /// Takes a reloaded config: pool size, timeouts, filters, labels, thresholds.
  void applyConfig(const Config& config);

  // WatcherListener: called on foreign threads, only post.
  void onAttached(const DeviceRef& device) override;
  void onDetached(const DeviceRef& device) override;
  void onUsbmuxd(bool up) override;
  /// A ping of the usbmuxd wedge watch (device/usbmuxd_ping.h); any thread, only posts.
  void onUsbmuxdPing(const UsbmuxdPing& ping);

  /// The control commands `act` and `remediation` (docs/remediation.md): parses the request,
  /// decides and replies on the strand; `act` replies once the device request is done. Any
  /// thread.
  void handleControl(ControlRequest request, ControlReply reply);

  /// Runs fn on the strand with the current view and counters (tests, bench); not after stop().
  void inspect(std::function<void(const FleetView&, const MonitorStats&)> fn);

  struct Entry;
  /// An action on its way to a device: decided, recorded, sent with the device's next cycle.
  struct ActionRun {
    RemediationAction action = RemediationAction::Restart;
    ActionTrigger trigger = ActionTrigger::Policy;
    std::int64_t row = 0;  ///< its audit row
    ControlReply reply;    ///< a manual request's answer; empty for the policy
  };
  /// What a worker hands back: the cycle's reads (none after a restart request) and, when an
  /// action went with the cycle, how the device answered it.
  struct CycleResult {
    std::optional<DeviceSnapshot> snapshot;
    bool actionSent = false;
    std::optional<Error> actionError;
  };

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Time = TimerService::Time;

  // The one liveness guard: every handler posted to the strand or left on a timer runs through
  // it, so none touches a Monitor that was destroyed or stopped meanwhile. A probe result that
  // reached the strand before stop() and the writes it queued are the exception
  // (AfterStop::Run): what a device answered is recorded even while the daemon shuts down. A
  // handler runs holding life_'s lock, so the destructor, taking it, waits for one under way.
  enum class AfterStop { Skip, Run };
  struct Life {
    std::recursive_mutex mutex;  // recursive: a handler may run a due timer's handler inline
    bool alive = true;
  };
  template <class Fn>
  auto guarded(Fn fn, AfterStop afterStop = AfterStop::Skip) {
    return [this, life = std::weak_ptr<Life>(life_), afterStop, fn = std::move(fn)]() mutable {
      auto held = life.lock();
      if (!held) return;
      std::lock_guard lock(held->mutex);
      if (held->alive && (!stopped_ || afterStop == AfterStop::Run)) fn();
    };
  }
  template <class Fn>
  void post(Fn fn, AfterStop afterStop = AfterStop::Skip) {
    boost::asio::post(strand_, guarded(std::move(fn), afterStop));
  }
  template <class Fn>
  void arm(TimerService::Timer& timer, std::chrono::milliseconds delay, Fn fn) {
    timer.schedule(timers_->now() + delay, guarded(std::move(fn)));
  }

  // monitor.cpp: events and probe cycles
  // `at`: when the watcher reported it (the strand may be busy with a slow store write).
  void attach(const DeviceRef& device, TimePoint at);
  void detach(const DeviceRef& device, TimePoint at);
  void recordAttach(Entry& e, TimePoint at);
  /// Moves the entry along the life cycle (device_lifecycle.h); erases it when it is gone.
  /// Returns false when the entry was erased.
  bool move(Entry& e, LifecycleEvent event);
  void pump();
  void dispatch(Entry& e);
  void onTimeout(const std::string& udid, std::uint64_t job);
  void onResult(const std::string& udid, std::uint64_t job, CycleResult result);
  /// Counts a cycle's outcome: backoff and the next due time.
  void scheduleNext(Entry& e, bool ok);
  void failCycle(Entry& e, const std::string& detail, double seconds);
  void noteStillStuck(Entry& e);
  void armWake();
  // monitor_slots.cpp: where each USB device sits, read from sysfs off the strand
  void requestUsbScan();
  void applyUsbScan(UsbPortScan scan);
  /// The entry's slot from the last scan and the [[slot]] table; re-diagnosed when it changed.
  void updateSlot(Entry& e);
  // monitor_state.cpp: diagnosis, store, observers
  void process(Entry& e, DeviceSnapshot snapshot);
  void rediagnose(Entry& e);
  /// A cycle (with its snapshot) or a status alone, waiting for the group commit.
  struct PendingWrite {
    std::string udid;
    std::optional<DeviceSnapshot> snapshot;  // absent: the status alone
    DeviceStatus status;
    TimePoint at{};
  };
  /// Queues e's newest cycle (cycle) or status for writeQueued, which the strand runs once the
  /// handlers already queued on it are done: what arrived together is written in one commit.
  void queueWrite(Entry& e, bool cycle, TimePoint at);
  /// Queues an attach, detach or port for the same group commit (SessionRecorder keeps the order).
  void recordSession(SessionEvent event);
  void postWrites();
  /// Writes the queued attach sessions, then every queued cycle and status, in one group commit
  /// (Store::inOneCommit); a cycle or status the store refuses goes to storeBehind, a session
  /// stays queued in SessionRecorder. Called before any other store write of the monitor, so
  /// that the store sees them in the order they were made.
  void writeQueued();
  /// Notes that e's latest cycle or status is not in the store and arms the store retry.
  void storeBehind(Entry& e, bool cycle);
  /// Writes what the store refused before, device by device, until the store refuses again.
  void retryStore();
  /// Diagnosis of the entry's latest reading; notes the conditions in its history.
  DeviceStatus evaluate(Entry& e, TimePoint now);
  void publishSoon();
  FleetView view() const;
  bool admit(Entry& e, const std::optional<std::string>& name, bool attachedNow);
  void loadConfig(const Config& config);
  // monitor_remediation.cpp: decisions, device requests and their outcomes
  /// Loads the kill switch and marks actions left unfinished by an earlier run `interrupted`.
  void startRemediation();
  /// The policy's decisions for a device after one of its cycles; an action to take goes out
  /// with the device's next dispatch, at once.
  void considerRemediation(Entry& e);
  RemediationDeviceFacts remediationFacts(Entry& e, TimePoint now);
  RemediationHostFacts remediationHost(TimePoint now) const;
  /// The audit row of a decision; 0 when none was written.
  std::int64_t recordDecision(Entry& e, RemediationAction action, ActionTrigger trigger,
                              const RemediationDecision& decision, const std::string& comment);
  /// An action goes out with this dispatch: its row is started, a restart is watched.
  void sendingAction(Entry& e);
  /// How the device answered the request sent with its cycle (`read`: the cycle's reads after
  /// it, nullptr after a restart request).
  void settleAction(Entry& e, ActionRun run, const CycleResult& result);
  void finishAction(const ActionRun& run, const std::string& udid, ActionResult result,
                    const std::string& reason, const std::string& outcome);
  /// The restart watch: a detach, then an attach of the same UDID, then a cycle that says how it
  /// came back; or restart_timeout.
  void noteRestartDetach(const std::string& udid);
  void noteRestartAttach(const std::string& udid);
  void noteRestartCycle(Entry& e);
  void endRestartWatch(ActionResult result, const std::string& outcome);
  bool remediationPaused(TimePoint now) const;
  /// For the diagnosis: when ibackupmond last turned iCloud Backup on and saw it on, and the
  /// device's newest finished action; read from the audit trail once per device, then kept.
  std::optional<TimePoint> turnedOnAt(const std::string& udid);
  std::optional<ActionRecord> lastAction(Entry& e);
  RemediationView remediationView() const;
  void act(const nlohmann::json& request, ControlReply reply);
  void remediationCommand(const nlohmann::json& request, ControlReply reply);
  // monitor_local_backup.cpp: local safety-net backups as supervised idevicebackup2 children
  struct LocalRun;
  /// Loads the local_backups table; with local backups on, finds idevicebackup2 and prepares
  /// the directory (fixed for the daemon's life: changing it needs a restart).
  void startLocalBackups();
  /// The policy's local-backup decision for a device after one of its cycles.
  void considerLocalBackup(Entry& e);
  bool backingUp(const std::string& udid) const;
  void recoverLocalBackups();
  void recordInterrupted(const std::string& udid, TimePoint at);
  void dropOldLocalBackups(TimePoint now);
  LocalBackupDeviceFacts localBackupFacts(Entry& e, TimePoint now);
  LocalBackupHostFacts localBackupHost(TimePoint now);
  void startLocalBackup(Entry& e, std::int64_t row, bool full);
  void localBackupEnded(const std::string& udid, backup::ChildResult result);
  /// Records how a run ended (the child is gone): the folder, the tables, the audit row.
  void settleLocalRun(const std::string& udid, LocalRun& run, backup::ChildResult result);
  void watchBackupSpace();
  void noteLocalBackupDetach(const std::string& udid);
  /// At stop(): every child is stopped and reaped, its row `interrupted` (daemon_stopped).
  void stopLocalBackups();
  std::optional<std::uint64_t> backupFreeBytes();
  LocalBackupView localBackupView() const;
  // monitor_housekeeping.cpp: periodic re-diagnosis, forgetting, pruning
  void armTick(std::chrono::milliseconds delay);
  void tick();
  void dropForgotten();
  void pruneBatch(TimePoint cutoff);

  MonitorDeps deps_;
  Config config_;
  DiagnosisConfig diagnosis_;
  DeviceFilter filter_;
  std::map<std::string, DeviceSetting> settings_;
  Strand strand_;
  std::shared_ptr<TimerService> timers_;
  SessionRecorder sessions_;  // attach/detach writes, queued and retried in order
  ProbePool pool_;
  std::shared_ptr<const ProbeTable> probes_;
  std::shared_ptr<bool> alive_;  // checked by the backup progress callback, not guarded()
  std::shared_ptr<Life> life_ = std::make_shared<Life>();  // guarded(): see there
  struct ResultSink;
  std::shared_ptr<ResultSink> sink_;  // workers deliver through it; closed by stop()
  std::uint64_t nextCycle_ = 1;
  std::map<std::string, std::unique_ptr<Entry>> devices_;
  std::map<std::string, DeviceRef> excluded_;          // attached but not fleet devices
  std::unique_ptr<TimerService::Timer> wakeTimer_;     // the next due time
  std::unique_ptr<TimerService::Timer> tickTimer_;     // housekeeping
  std::unique_ptr<TimerService::Timer> publishTimer_;  // fleet view to observers
  std::unique_ptr<TimerService::Timer> storeTimer_;    // the retry of refused cycle writes
  bool storeRetryArmed_ = false;
  std::vector<PendingWrite> writes_;  // queueWrite -> writeQueued
  bool writesPosted_ = false;         // writeQueued is on the strand
  bool publishPending_ = false;
  bool usbmuxdUp_ = false;
  std::optional<TimePoint> usbmuxdWedgedSince_;  // usbmuxd accepts but answers nothing
  bool stopped_ = false;
  bool pruning_ = false;
  std::optional<TimePoint> lastPruneSweep_;  // retention is days: sweep hourly, not every tick
  int inFlight_ = 0;                         // dispatched, not abandoned, not finished
  MonitorStats stats_;
  std::map<std::string, UsbPort> usbPorts_;  // the last sysfs scan, by upper-case UDID
  std::vector<std::string> usbProblems_;     // its problems, logged when they change
  bool usbScanRunning_ = false;
  bool usbScanAgain_ = false;                  // asked for while one ran: one more read after it
  std::unique_ptr<RemediationLedger> ledger_;  // null: the monitor never acts
  struct RestartWatch {
    std::string udid;
    std::int64_t row = 0;
    bool detached = false;
    bool attachedAgain = false;
    std::unique_ptr<TimerService::Timer> timer;  // restart_timeout
  };
  std::optional<RestartWatch> restartWatch_;  // one restart in flight per host
  std::optional<TimePoint> pausedUntil_;      // ibackupmonctl remediation pause
  // Devices whose iCloud Backup ibackupmond turned on and saw on: when (icloud_backup_turned_off_
  // again); loaded from the audit trail once per device.
  std::map<std::string, std::optional<TimePoint>> turnedOnAt_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> actionCounts_;
  // Local backups: runs going on; every device's row of the local_backups table; devices that
  // may run once a slot is free (UDID -> its last iCloud backup: the oldest goes first).
  std::string backupRoot_;
  std::string backupProgram_;  // idevicebackup2 found on PATH; "" = no local backups
  std::map<std::string, std::unique_ptr<LocalRun>> localRuns_;
  std::map<std::string, LocalBackupRecord> localRecords_;
  std::map<std::string, std::optional<TimePoint>> localWaiting_;
  std::unique_ptr<TimerService::Timer> backupSpaceTimer_;
  std::optional<std::uint64_t> backupVolumeFree_;
  // Last member: destroyed (joined) first, while everything its task may touch still exists.
  boost::asio::thread_pool sysfsThread_{1};
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Monitor: local safety-net backups (docs/local-backup.md). Decisions come from the pure
// decideLocalBackup(); a run is Debian's idevicebackup2 as a supervised child process
// (backup/backup_child.h: libimobiledevice calls cannot be cancelled in-process), so no probe
// worker is held. The device is not probed while it is backed up; when the run ends its next
// cycle goes at once and records the computer backup. Everything here runs on the strand.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "app/monitor.h"
#include "app/monitor_entry.h"
#include "backup/backup_folder.h"
#include "core/duration.h"
#include "core/local_time.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

// While a run goes, the backup volume's free space is checked this often.
constexpr std::chrono::seconds kSpaceCheckEvery{10};

// The reason id of a run that ended without a finished backup.
std::string failureReason(const backup::ChildResult& r, bool detached, bool lowSpace) {
  if (lowSpace) return "disk_space";
  if (r.end == backup::ChildEnd::TimedOut) return "timeout";
  if (r.end == backup::ChildEnd::SpawnFailed) return "spawn_failed";
  if (const auto code = r.output.errorCode) {
    switch (*code) {
      case 105: return "disk_space";
      case 207: return "encryption_required";
      case 208: return "passcode_not_entered";
      case 212: return "setup_not_finished";
      case 25: return "icloud_restore_running";
      default: break;
    }
  }
  if (detached) return "detached";
  if (r.signal) return "killed";
  return "backup_failed";
}

}  // namespace

std::optional<std::uint64_t> Monitor::backupFreeBytes() {
  auto free = backup::freeBytes(backupRoot_);
  if (!free) {
    spdlog::warn("local backup: free space of {}: {}", backupRoot_, free.error().message);
    return std::nullopt;
  }
  backupVolumeFree_ = *free;
  return *free;
}

void Monitor::startLocalBackups() {
  backupRoot_ = config_.localBackup.directory;
  if (!deps_.actions) return;
  auto rows = deps_.actions->localBackups();
  if (!rows) {
    spdlog::error("local backup: {}", rows.error().message);
  } else {
    for (auto& r : *rows) localRecords_[r.udid] = std::move(r);
  }
  recoverLocalBackups();
  if (!config_.localBackup.enable) return;
  if (auto program = backup::findProgram(kLocalBackupProgram)) {
    backupProgram_ = *program;
  } else {
    spdlog::error(
        "local backup: idevicebackup2 is not installed (Debian package libimobiledevice-utils); "
        "no local backups");
  }
  if (auto ok = backup::ensureRoot(backupRoot_); !ok) {
    spdlog::error("local backup: {}: {}", backupRoot_, ok.error().message);
  }
  backupFreeBytes();
  spdlog::info("local backup: on, into {}{}", backupRoot_,
               config_.remediation.dryRun ? " (dry run: nothing is backed up)" : "");
}

// A run the last daemon did not see end (it was killed, the host lost power): its row says so,
// and the finished backup kept aside before it goes back in place.
void Monitor::recoverLocalBackups() {
  const TimePoint now = deps_.clock->now();
  for (auto& [udid, r] : localRecords_) {
    if (r.lastStartedAt && (!r.lastEndedAt || *r.lastEndedAt < *r.lastStartedAt)) {
      recordInterrupted(udid, now);
    }
    auto info = backup::inspect(r.directory, udid);
    if (info && info->previousKept && !info->finished) {
      if (auto ok = backup::restorePrevious(r.directory, udid); !ok) {
        spdlog::error("local backup: device {}: the last finished backup could not be put back: {}",
                      udid, ok.error().message);
      } else {
        spdlog::warn(
            "local backup: device {}: a run that never ended was rolled back to the last "
            "finished backup",
            udid);
      }
    }
  }
}

// A run that ended with the daemon (or with a daemon that never saw it end).
void Monitor::recordInterrupted(const std::string& udid, TimePoint at) {
  ActionRepository::LocalBackupEnd end;
  end.at = at;
  end.result = "interrupted";
  end.reason = "daemon_stopped";
  if (auto ok = deps_.actions->localBackupEnded(udid, end); !ok) {
    spdlog::error("local backup: {}", ok.error().message);
  }
  auto& r = localRecords_[udid];
  r.lastEndedAt = at;
  r.lastResult = end.result;
  r.lastReason = end.reason;
}

// Backups are personal data: a device not seen for [storage] forget_after (forgotten by then)
// takes its folder with it.
void Monitor::dropOldLocalBackups(TimePoint now) {
  for (auto it = localRecords_.begin(); it != localRecords_.end();) {
    const std::string& udid = it->first;
    auto e = devices_.find(udid);
    std::optional<TimePoint> seen = it->second.lastEndedAt;
    if (e != devices_.end() && e->second->history.lastSeen &&
        (!seen || *e->second->history.lastSeen > *seen)) {
      seen = e->second->history.lastSeen;
    }
    const bool attached = e != devices_.end() && e->second->attached();
    if (attached || backingUp(udid) || (seen && now - *seen < config_.storage.forgetAfter)) {
      ++it;
      continue;
    }
    if (auto ok = backup::removeDevice(it->second.directory, udid); !ok) {
      spdlog::error("local backup: device {}: deleting its backup: {}", udid, ok.error().message);
      ++it;
      continue;
    }
    if (auto ok = deps_.actions->removeLocalBackup(udid); !ok) {
      spdlog::error("local backup: {}", ok.error().message);
    }
    spdlog::info("local backup: device {} not seen for {}: its local backup was deleted", udid,
                 formatDuration(config_.storage.forgetAfter));
    it = localRecords_.erase(it);
  }
}

bool Monitor::backingUp(const std::string& udid) const {
  return localRuns_.contains(udid);
}

LocalBackupDeviceFacts Monitor::localBackupFacts(Entry& e, TimePoint now) {
  const RemediationDeviceFacts r = remediationFacts(e, now);
  LocalBackupDeviceFacts d;
  d.udid = e.udid;
  d.attached = r.attached;
  d.trust = r.trust;
  d.everSeenLocked = r.everSeenLocked;
  d.batteryLevel = r.batteryLevel;
  d.onPower = r.onPower;
  d.openConditions = r.openConditions;
  d.deviceAcknowledged = r.deviceAcknowledged;
  d.acknowledgedConditions = r.acknowledgedConditions;
  if (const auto& s = e.latest; s && s->connected) {
    d.iosVersion = s->identity.productVersion;
    if (s->backup) {
      d.requiresEncryption = s->backup->requiresEncryption;
      d.willEncrypt = s->backup->willEncrypt;
    }
    if (s->storage && s->storage->totalDataCapacity && s->storage->totalDataAvailable &&
        *s->storage->totalDataCapacity >= *s->storage->totalDataAvailable) {
      d.usedBytes = *s->storage->totalDataCapacity - *s->storage->totalDataAvailable;
    }
  }
  if (auto it = localRecords_.find(e.udid); it != localRecords_.end()) {
    if (it->second.finishedAt) d.lastLocalBytes = it->second.bytes;
    d.lastLocalFull = it->second.fullAt;
  }
  d.needsPasscodeMark = e.needsPasscode;
  d.passcodeTriedThisAttach = e.passcodeTried;
  return d;
}

LocalBackupHostFacts Monitor::localBackupHost(TimePoint now) {
  LocalBackupHostFacts h;
  h.now = now;
  h.localMinuteOfDay = localMinuteOfDay(now);
  h.paused = remediationPaused(now);
  h.running = static_cast<int>(localRuns_.size());
  h.usbmuxdHealthy = usbmuxdUp_ && !usbmuxdWedgedSince_;
  h.freeBytes = backupFreeBytes();
  std::uint64_t total = 0;
  for (const auto& [udid, r] : localRecords_) total += r.bytes.value_or(0);
  h.totalBytes = total;
  return h;
}

void Monitor::considerLocalBackup(Entry& e) {
  const auto& policy = config_.localBackup;
  if (!ledger_ || stopped_ || !policy.enable || e.pendingName || !e.attached() ||
      backingUp(e.udid) || e.pendingAction || e.actionOut) {
    return;
  }
  if (backupProgram_.empty()) {
    // Turned on by a reload, or installed since the start (the config check requires it).
    auto program = backup::findProgram(kLocalBackupProgram);
    if (!program) return;
    backupProgram_ = *program;
  }
  if (!mayBeLocalBackupCandidate(e.udid, e.history.openConditions, policy, config_.remediation,
                                 config_.backup.expect)) {
    localWaiting_.erase(e.udid);
    return;
  }
  const TimePoint now = deps_.clock->now();
  auto past = ledger_->history(e.udid, RemediationAction::LocalBackup);
  if (!past) {
    spdlog::error("local backup: not backing up device {}: {}", e.udid, past.error().message);
    return;
  }
  const auto facts = localBackupFacts(e, now);
  const auto host = localBackupHost(now);
  const auto decision =
      decideLocalBackup(facts, host, *past, policy, config_.remediation, config_.backup.expect);
  const bool waits = decision.kind == DecisionKind::Skip && decision.reason == "max_concurrent";
  if (decision.kind == DecisionKind::Act || waits) {
    localWaiting_[e.udid] = e.history.lastCloudBackup;
  } else {
    localWaiting_.erase(e.udid);
  }
  if (decision.kind == DecisionKind::Act) {
    // When not all fit, the oldest iCloud backup goes first; the others wait for their turn.
    const auto mine = localWaiting_[e.udid];
    for (const auto& [udid, last] : localWaiting_) {
      auto other = devices_.find(udid);
      const bool canRun = other != devices_.end() && other->second->attached() &&
                          other->second->state != LifecycleState::Abandoned;
      if (udid != e.udid && canRun &&
          last.value_or(TimePoint::min()) < mine.value_or(TimePoint::min())) {
        return;
      }
    }
  }
  RemediationDecision recorded{decision.kind, decision.reason};
  const auto row =
      recordDecision(e, RemediationAction::LocalBackup, ActionTrigger::Policy, recorded, "");
  if (decision.kind != DecisionKind::Act || row == 0) return;
  localWaiting_.erase(e.udid);
  if (mayAskForPasscode(facts)) e.passcodeTried = true;  // try_passcode_devices: once per attach
  startLocalBackup(e, row, decision.full);
}

void Monitor::startLocalBackup(Entry& e, std::int64_t row, bool full) {
  const TimePoint now = deps_.clock->now();
  auto fail = [&](const std::string& reason, const std::string& detail) {
    spdlog::error("local backup: device {}: {}", e.udid, detail);
    finishAction(ActionRun{RemediationAction::LocalBackup, ActionTrigger::Policy, row, {}}, e.udid,
                 ActionResult::Failed, reason, "");
  };
  if (auto ok = backup::ensureRoot(backupRoot_); !ok) {
    return fail("directory", backupRoot_ + ": " + ok.error().message);
  }
  auto run = std::make_unique<LocalRun>();
  run->row = row;
  run->full = full;
  run->startedAt = now;
  if (config_.localBackup.keepPrevious) {
    auto info = backup::inspect(backupRoot_, e.udid);
    if (!info) return fail("directory", info.error().message);
    // A copy already kept aside (the live folder unfinished) stays the one to go back to.
    if (info->finished || info->previousKept) {
      // Unsure the last good copy is safe: do not start a run that may overwrite it.
      if (auto ok = backup::preserve(backupRoot_, e.udid); !ok) {
        return fail("directory", "keeping the last backup: " + ok.error().message);
      }
      run->preserved = true;
    }
  }
  // Personal data: the device folder is made 0700 before idevicebackup2 (which would make it
  // 0755) writes into it.
  std::error_code ec;
  const auto folder = std::filesystem::path(backupRoot_) / e.udid;
  std::filesystem::create_directory(folder, ec);
  if (!ec) std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
  if (ec) {
    if (run->preserved) {
      if (auto ok = backup::restorePrevious(backupRoot_, e.udid); !ok) {
        spdlog::error("local backup: device {}: {}", e.udid, ok.error().message);
      }
    }
    return fail("directory", folder.string() + ": " + ec.message());
  }
  if (auto ok = ledger_->started(row); !ok) spdlog::error("local backup: {}", ok.error().message);
  if (auto ok = deps_.actions->localBackupStarted(e.udid, backupRoot_, now); !ok) {
    spdlog::error("local backup: {}", ok.error().message);
  }
  auto& record = localRecords_[e.udid];
  record.udid = e.udid;
  record.directory = backupRoot_;
  record.lastStartedAt = now;

  backup::ChildOptions options;
  options.program = backupProgram_;
  options.args = backup::backupArguments(e.udid, backupRoot_, full);
  options.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.localBackup.timeout);
  const std::string udid = e.udid;
  LocalRun* raw = run.get();
  auto child = backup::BackupChild::start(
      options,
      [this, udid, raw, alive = std::weak_ptr<bool>(alive_)](double percent) {
        // Several lines per second: only whole percents reach the strand.
        const int whole = static_cast<int>(percent);
        if (whole == raw->lastPercent.exchange(whole)) return;
        if (!alive.lock()) return;
        post([this, udid, whole] {
          if (auto it = localRuns_.find(udid); it != localRuns_.end()) {
            it->second->percent = whole;
          }
        });
      },
      [this, udid, raw](backup::ChildResult result) {
        {
          std::lock_guard lock(raw->mutex);
          raw->result = result;
        }
        post([this, udid, result = std::move(result)]() mutable {
          localBackupEnded(udid, std::move(result));
        });
      });
  if (!child) {
    if (run->preserved) {
      if (auto ok = backup::restorePrevious(backupRoot_, udid); !ok) {
        spdlog::error("local backup: device {}: {}", udid, ok.error().message);
      }
    }
    return fail("spawn_failed", "cannot start idevicebackup2: " + child.error().message);
  }
  run->child = std::move(*child);
  localRuns_[udid] = std::move(run);
  rediagnose(e);  // its status says "backing up locally since ..."
  spdlog::warn("local backup: backing up device {} ({}) into {}", udid,
               full ? "full" : "incremental", backupRoot_);
  if (!backupSpaceTimer_) backupSpaceTimer_ = timers_->makeTimer(strand_);
  arm(*backupSpaceTimer_, kSpaceCheckEvery, [this] { watchBackupSpace(); });
  publishSoon();
}

void Monitor::watchBackupSpace() {
  if (localRuns_.empty()) return;
  const auto free = backupFreeBytes();
  if (free && *free < config_.localBackup.minFreeSpace) {
    for (auto& [udid, run] : localRuns_) {
      if (run->lowSpace) continue;
      spdlog::error(
          "local backup: {} has {} bytes free, below min_free_space: stopping the "
          "backup of device {}",
          backupRoot_, *free, udid);
      run->lowSpace = true;
      run->child->stop();
    }
  }
  publishSoon();
  arm(*backupSpaceTimer_, kSpaceCheckEvery, [this] { watchBackupSpace(); });
}

void Monitor::noteLocalBackupDetach(const std::string& udid) {
  if (auto it = localRuns_.find(udid); it != localRuns_.end()) it->second->detached = true;
  localWaiting_.erase(udid);
}

void Monitor::localBackupEnded(const std::string& udid, backup::ChildResult result) {
  auto it = localRuns_.find(udid);
  if (it == localRuns_.end()) return;
  std::unique_ptr<LocalRun> run = std::move(it->second);
  localRuns_.erase(it);
  run->child.reset();  // reaped: the result came after the child was gone
  settleLocalRun(udid, *run, std::move(result));
}

void Monitor::settleLocalRun(const std::string& udid, LocalRun& r, backup::ChildResult result) {
  LocalRun* run = &r;
  const TimePoint now = deps_.clock->now();
  ActionRepository::LocalBackupEnd end;
  end.at = now;
  end.full = run->full;
  std::string outcome;
  backup::FolderInfo info;
  if (result.succeeded()) {
    auto inspected = backup::inspect(backupRoot_, udid);
    if (inspected) info = *inspected;
    if (!inspected || !info.finished) {
      // idevicebackup2 said it succeeded, but the folder does not hold a finished backup.
      result.output.reportedSuccess = false;
    }
  }
  const bool finished = result.succeeded() && info.finished;
  if (finished) {
    end.result = "done";
    end.finished = true;
    end.bytes = info.bytes;
    end.encrypted = info.encrypted;
    outcome = "finished";
    if (run->preserved) {
      if (auto ok = backup::dropPrevious(backupRoot_, udid); !ok) {
        spdlog::warn("local backup: device {}: {}", udid, ok.error().message);
      }
    }
  } else {
    end.result = "failed";
    end.reason = failureReason(result, run->detached, run->lowSpace);
    if (run->preserved) {
      if (auto ok = backup::restorePrevious(backupRoot_, udid); !ok) {
        spdlog::error(
            "local backup: device {}: the last finished backup could not be put back: "
            "{}",
            udid, ok.error().message);
      }
    }
  }
  if (auto ok = deps_.actions->localBackupEnded(udid, end); !ok) {
    spdlog::error("local backup: {}", ok.error().message);
  }
  auto& record = localRecords_[udid];
  record.lastEndedAt = now;
  record.lastResult = end.result;
  record.lastReason = end.reason;
  if (finished) {
    record.finishedAt = now;
    if (run->full) record.fullAt = now;
    record.bytes = end.bytes;
    record.encrypted = end.encrypted;
    record.failuresInRow = 0;
  } else {
    ++record.failuresInRow;
  }
  auto e = devices_.find(udid);
  if (e != devices_.end()) {
    if (end.reason == "passcode_not_entered") e->second->needsPasscode = true;
    e->second->nextProbe = timers_->now();  // record the computer backup (or why not) at once
  }
  if (!finished && !result.output.tail.empty()) {
    spdlog::warn("local backup: device {}: idevicebackup2 said: {}", udid,
                 result.output.tail.back());
  }
  finishAction(ActionRun{RemediationAction::LocalBackup, ActionTrigger::Policy, run->row, {}}, udid,
               finished ? ActionResult::Done : ActionResult::Failed, end.reason, outcome);
  if (stopped_) return;
  // A slot is free: the oldest waiting device is decided again with its next cycle, at once.
  std::optional<std::string> next;
  std::optional<TimePoint> oldest;
  for (const auto& [w, last] : localWaiting_) {
    if (!next || last.value_or(TimePoint::min()) < oldest.value_or(TimePoint::min())) {
      next = w;
      oldest = last;
    }
  }
  if (next) {
    if (auto w = devices_.find(*next); w != devices_.end()) w->second->nextProbe = timers_->now();
  }
  pump();
}

void Monitor::stopLocalBackups() {
  if (backupSpaceTimer_) backupSpaceTimer_->cancel();
  for (auto& [udid, run] : localRuns_) run->child->stop();
  for (auto& [udid, run] : localRuns_) {
    run->child.reset();  // joins: SIGTERM, then SIGKILL after the grace; nothing is left behind
    std::optional<backup::ChildResult> result;
    {
      std::lock_guard lock(run->mutex);
      result = run->result;
    }
    // A run that ended by itself (or for space) before the stop: recorded as it ended.
    if (result && (result->end != backup::ChildEnd::Stopped || run->lowSpace)) {
      settleLocalRun(udid, *run, std::move(*result));
      continue;
    }
    if (run->preserved) {
      if (auto ok = backup::restorePrevious(backupRoot_, udid); !ok) {
        spdlog::error("local backup: device {}: {}", udid, ok.error().message);
      }
    }
    recordInterrupted(udid, deps_.clock->now());
    if (auto ok = ledger_->finished(run->row, ActionResult::Interrupted, "daemon_stopped", "");
        !ok) {
      spdlog::error("local backup: {}", ok.error().message);
    }
    spdlog::warn("local backup: the backup of device {} was stopped with the daemon", udid);
  }
  localRuns_.clear();
}

LocalBackupView Monitor::localBackupView() const {
  LocalBackupView v;
  v.running = static_cast<int>(localRuns_.size());
  v.volumeFreeBytes = backupVolumeFree_;
  for (const auto& [udid, r] : localRecords_) {
    LocalBackupView::Device d;
    d.lastSuccess = r.finishedAt;
    d.bytes = r.bytes;
    v.devices[udid] = d;
  }
  for (const auto& [udid, run] : localRuns_) v.devices[udid].percent = run->percent;
  return v;
}

}  // namespace ibackupmon

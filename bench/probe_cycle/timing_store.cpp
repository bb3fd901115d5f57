// SPDX-License-Identifier: Apache-2.0
#include "timing_store.h"

#include <thread>

namespace ibackupmon::bench {

int TimingStore::waitForFirstCycles(int devices, std::chrono::seconds deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, deadline, [&] { return static_cast<int>(done_.size()) >= devices; });
  return static_cast<int>(done_.size());
}

TimingStore::SteadyTime TimingStore::lastDone() const {
  std::lock_guard lock(mutex_);
  return lastDone_;
}

std::optional<TimingStore::SteadyTime> TimingStore::doneAt(const std::string& udid) const {
  std::lock_guard lock(mutex_);
  const auto it = done_.find(udid);
  return it == done_.end() ? std::nullopt : std::optional<SteadyTime>(it->second);
}

int TimingStore::sessionsOpened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

double TimingStore::failedSeconds() const {
  std::lock_guard lock(mutex_);
  return failedSeconds_;
}

Expected<void> TimingStore::deviceAttached(const std::string& udid, TimePoint at) {
  slowCommit();
  return inner_ != nullptr ? inner_->deviceAttached(udid, at) : Expected<void>();
}

Expected<void> TimingStore::deviceDetached(const std::string& udid, TimePoint at) {
  slowCommit();
  return inner_ != nullptr ? inner_->deviceDetached(udid, at) : Expected<void>();
}

Expected<void> TimingStore::sessionLocated(const std::string& udid, const std::string& port,
                                           const std::optional<std::string>& slotLabel) {
  slowCommit();
  return inner_ != nullptr ? inner_->sessionLocated(udid, port, slotLabel) : Expected<void>();
}

Expected<void> TimingStore::closeAllSessions(TimePoint at) {
  slowCommit();
  return inner_ != nullptr ? inner_->closeAllSessions(at) : Expected<void>();
}

void TimingStore::noteSnapshot(const DeviceSnapshot& snapshot) {
  std::lock_guard lock(mutex_);
  const std::string& udid = snapshot.identity.udid;
  if (done_.count(udid) != 0 || !recorded_.insert(udid).second) return;
  // The runner reports "trust" first: Ok means the lockdown session was opened.
  const bool opened = !snapshot.probes.empty() && snapshot.probes.front().probe == "trust" &&
                      snapshot.probes.front().status == ProbeStatus::Ok;
  if (opened) {
    ++opened_;
  } else if (!snapshot.probes.empty()) {
    failedSeconds_ += snapshot.probes.front().seconds;  // the failed open's duration
  }
}

void TimingStore::slowCommit() const {
  if (commitDelay_.count() > 0 && !grouped_) std::this_thread::sleep_for(commitDelay_);
}

// The status saved after the first snapshot ends the device's first cycle (diagnosis done).
void TimingStore::noteStatusSaved(const std::string& udid) {
  if (grouped_) {
    groupSaved_.push_back(udid);
    return;
  }
  std::lock_guard lock(mutex_);
  if (recorded_.erase(udid) > 0 && done_.count(udid) == 0) {
    lastDone_ = std::chrono::steady_clock::now();
    done_.emplace(udid, lastDone_);
    changed_.notify_all();
  }
}

Expected<std::vector<BackupEvent>> TimingStore::recordSnapshot(const DeviceSnapshot& snapshot) {
  slowCommit();
  noteSnapshot(snapshot);
  if (inner_ == nullptr) return std::vector<BackupEvent>();
  return inner_->recordSnapshot(snapshot);
}

Expected<void> TimingStore::recordConditions(const std::string& udid,
                                             const std::vector<Condition>& active, TimePoint at) {
  slowCommit();
  return inner_ != nullptr ? inner_->recordConditions(udid, active, at) : Expected<void>();
}

Expected<void> TimingStore::saveStatus(const DeviceStatus& status) {
  slowCommit();
  auto saved = inner_ != nullptr ? inner_->saveStatus(status) : Expected<void>();
  noteStatusSaved(status.udid);
  return saved;
}

Expected<void> TimingStore::recordStatus(const std::string& udid,
                                         const std::vector<Condition>& active,
                                         const DeviceStatus& status, TimePoint at) {
  slowCommit();
  auto saved =
      inner_ != nullptr ? inner_->recordStatus(udid, active, status, at) : Expected<void>();
  noteStatusSaved(status.udid);
  return saved;
}

Expected<std::vector<BackupEvent>> TimingStore::recordCycle(const DeviceSnapshot& snapshot,
                                                            const std::vector<Condition>& active,
                                                            const DeviceStatus& status) {
  slowCommit();
  noteSnapshot(snapshot);
  auto events = inner_ != nullptr ? inner_->recordCycle(snapshot, active, status)
                                  : Expected<std::vector<BackupEvent>>();
  noteStatusSaved(status.udid);
  return events;
}

Expected<void> TimingStore::inOneCommit(const std::function<void()>& writes) {
  grouped_ = true;
  Expected<void> committed;
  if (inner_ != nullptr) {
    committed = inner_->inOneCommit(writes);
  } else {
    writes();
  }
  grouped_ = false;
  slowCommit();
  std::vector<std::string> saved;
  saved.swap(groupSaved_);
  if (committed) {
    for (const auto& udid : saved) noteStatusSaved(udid);
  }
  return committed;
}

Expected<bool> TimingStore::forget(const std::string& udid, TimePoint at) {
  slowCommit();
  return inner_ != nullptr ? inner_->forget(udid, at) : Expected<bool>(false);
}

Expected<std::vector<std::string>> TimingStore::forgetUnseenSince(TimePoint cutoff) {
  if (inner_ == nullptr) return std::vector<std::string>();
  return inner_->forgetUnseenSince(cutoff);
}

Expected<PruneResult> TimingStore::pruneBefore(TimePoint cutoff, int max_rows) {
  return inner_ != nullptr ? inner_->pruneBefore(cutoff, max_rows) : Expected<PruneResult>();
}

Expected<std::vector<DeviceStatus>> TimingStore::loadStatus() const {
  if (inner_ == nullptr) return std::vector<DeviceStatus>();
  return inner_->loadStatus();
}

Expected<std::optional<DeviceHistory>> TimingStore::loadHistory(const std::string& udid) const {
  if (inner_ == nullptr) return std::optional<DeviceHistory>();
  return inner_->loadHistory(udid);
}

Expected<std::vector<DeviceHistory>> TimingStore::loadAllHistories() const {
  if (inner_ == nullptr) return std::vector<DeviceHistory>();
  return inner_->loadAllHistories();
}

Expected<DeviceTimeline> TimingStore::timeline(const std::string& udid) const {
  if (inner_ == nullptr) return makeError("not_found", "null store: " + udid + " never seen");
  return inner_->timeline(udid);
}

Expected<std::vector<std::string>> TimingStore::forgottenUdids() const {
  if (inner_ == nullptr) return std::vector<std::string>();
  return inner_->forgottenUdids();
}

}  // namespace ibackupmon::bench

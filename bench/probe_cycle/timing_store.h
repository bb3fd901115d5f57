// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A Store decorator that notes when each device's first probe cycle is fully processed (its
/// snapshot recorded, then its status saved: diagnosis included), forwarding every call to the
/// real SQLite store, or to nothing ("null store", to separate probing from storing).
/// The monitor calls it on its strand; the bench thread waits on it.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/store.h"

namespace ibackupmon::bench {

class TimingStore final : public Store {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  /// inner: the store to forward to; nullptr = a null store (writes vanish, reads are empty).
  /// commitDelay: added to every write, as a slow disk's sync would (an SD card: 10-50 ms).
  explicit TimingStore(Store* inner,
                       std::chrono::milliseconds commitDelay = std::chrono::milliseconds(0))
      : inner_(inner), commitDelay_(commitDelay) {}

  /// Waits until `devices` distinct devices finished their first cycle or the deadline passed;
  /// returns how many did. lastDone() is the moment the last of them finished.
  int waitForFirstCycles(int devices, std::chrono::seconds deadline);
  SteadyTime lastDone() const;
  /// When the device's first cycle was done; nullopt while it is not.
  std::optional<SteadyTime> doneAt(const std::string& udid) const;
  /// Devices whose first cycle opened a lockdown session (the trust probe succeeded).
  int sessionsOpened() const;
  /// Summed time of the first cycles whose session did not open.
  double failedSeconds() const;

  Expected<void> deviceAttached(const std::string& udid, TimePoint at) override;
  Expected<void> deviceDetached(const std::string& udid, TimePoint at) override;
  Expected<void> sessionLocated(const std::string& udid, const std::string& port,
                                const std::optional<std::string>& slotLabel) override;
  Expected<void> closeAllSessions(TimePoint at) override;
  Expected<std::vector<BackupEvent>> recordSnapshot(const DeviceSnapshot& snapshot) override;
  Expected<void> recordConditions(const std::string& udid, const std::vector<Condition>& active,
                                  TimePoint at) override;
  Expected<void> saveStatus(const DeviceStatus& status) override;
  Expected<void> recordStatus(const std::string& udid, const std::vector<Condition>& active,
                              const DeviceStatus& status, TimePoint at) override;
  /// Forwarded whole, so a monitor using the one-transaction path is measured with it.
  Expected<std::vector<BackupEvent>> recordCycle(const DeviceSnapshot& snapshot,
                                                 const std::vector<Condition>& active,
                                                 const DeviceStatus& status) override;
  /// Forwarded whole; the commit delay is paid once per group, and the group's devices are done
  /// when it commits.
  Expected<void> inOneCommit(const std::function<void()>& writes) override;
  Expected<bool> forget(const std::string& udid, TimePoint at) override;
  Expected<std::vector<std::string>> forgetUnseenSince(TimePoint cutoff) override;
  Expected<PruneResult> pruneBefore(TimePoint cutoff, int max_rows) override;
  Expected<std::vector<DeviceStatus>> loadStatus() const override;
  Expected<std::optional<DeviceHistory>> loadHistory(const std::string& udid) const override;
  Expected<std::vector<DeviceHistory>> loadAllHistories() const override;
  Expected<DeviceTimeline> timeline(const std::string& udid) const override;
  Expected<std::vector<std::string>> forgottenUdids() const override;

 private:
  void noteSnapshot(const DeviceSnapshot& snapshot);
  void noteStatusSaved(const std::string& udid);
  void slowCommit() const;

  Store* inner_;
  std::chrono::milliseconds commitDelay_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> recorded_;  // snapshot recorded, status not yet saved
  std::map<std::string, SteadyTime> done_;
  int opened_ = 0;
  double failedSeconds_ = 0;
  SteadyTime lastDone_{};
  bool grouped_ = false;                 // inside inOneCommit (the strand only)
  std::vector<std::string> groupSaved_;  // statuses saved in the group, done when it commits
};

}  // namespace ibackupmon::bench

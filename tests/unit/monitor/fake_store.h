// SPDX-License-Identifier: Apache-2.0
#pragma once
// An in-memory Store with call counters, for Monitor unit tests.

#include <map>
#include <mutex>

#include "store/store.h"

namespace ibackupmon::testing {

class FakeStore final : public Store {
 public:
  Expected<void> deviceAttached(const std::string& udid, TimePoint at) override {
    if (failSessionWrites > 0 && failSessionWrites--) return makeError("db_busy", "locked");
    ++attached[udid];
    sessionWrites.push_back({"attach " + udid, at});
    return {};
  }
  Expected<void> deviceDetached(const std::string& udid, TimePoint at) override {
    if (failSessionWrites > 0 && failSessionWrites--) return makeError("db_busy", "locked");
    ++detached[udid];
    sessionWrites.push_back({"detach " + udid, at});
    return {};
  }
  Expected<void> closeAllSessions(TimePoint) override {
    ++closeAll;
    return {};
  }
  Expected<std::vector<BackupEvent>> recordSnapshot(const DeviceSnapshot& s) override {
    snapshots[s.identity.udid].push_back(s);
    return std::vector<BackupEvent>{};
  }
  Expected<void> recordConditions(const std::string& udid, const std::vector<Condition>& active,
                                  TimePoint) override {
    conditions[udid] = active;
    return {};
  }
  Expected<void> saveStatus(const DeviceStatus& status) override {
    statuses[status.udid] = status;
    return {};
  }
  Expected<bool> forget(const std::string& udid, TimePoint) override {
    forgotten.push_back(udid);
    return statuses.erase(udid) > 0;
  }
  Expected<std::vector<std::string>> forgetUnseenSince(TimePoint) override {
    return std::vector<std::string>{};
  }
  Expected<PruneResult> pruneBefore(TimePoint, int) override {
    ++prunes;
    return PruneResult{0, prunes < 3};  // asks for three batches
  }
  Expected<std::vector<DeviceStatus>> loadStatus() const override {
    std::vector<DeviceStatus> v;
    for (const auto& [u, s] : statuses) v.push_back(s);
    return v;
  }
  Expected<std::optional<DeviceHistory>> loadHistory(const std::string&) const override {
    return std::optional<DeviceHistory>();
  }
  Expected<std::vector<DeviceHistory>> loadAllHistories() const override { return histories; }
  Expected<DeviceTimeline> timeline(const std::string& udid) const override {
    return DeviceTimeline{udid, {}, {}, {}};
  }

  // Everything below is touched only on the monitor's strand (the test's io thread).
  std::map<std::string, int> attached, detached;
  std::vector<std::pair<std::string, TimePoint>> sessionWrites;  ///< in the order written
  int failSessionWrites = 0;  ///< the next N attach/detach writes fail (db_busy)
  int closeAll = 0;
  int prunes = 0;
  std::map<std::string, std::vector<DeviceSnapshot>> snapshots;
  std::map<std::string, std::vector<Condition>> conditions;
  std::map<std::string, DeviceStatus> statuses;
  std::vector<std::string> forgotten;
  std::vector<DeviceHistory> histories;
};

}  // namespace ibackupmon::testing

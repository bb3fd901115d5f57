// SPDX-License-Identifier: Apache-2.0
#pragma once
// The real SQLite store on a file in a fresh temporary directory, removed with it; and a
// decorator over it that refuses attach/detach writes on demand, as a locked database does.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace ibackupmon::testing {

class TempStore {
 public:
  TempStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ibackupmon-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    auto opened = Store::open((dir_ / "history.db").string(), OpenMode::ReadWrite);
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

/// Forwards every call to the real store, except that the next `failSessionWrites` attach or
/// detach writes, every cycle or status write while `refuseCycles`, and every group commit while
/// `refuseGroups` (its writes never run), fail with "db_busy" and never reach it. Notes which
/// cycle and status writes each group commit held. Touched only on the monitor's strand.
class SessionRefusingStore final : public Store {
 public:
  explicit SessionRefusingStore(Store& inner) : inner_(inner) {}

  int failSessionWrites = 0;
  bool refuseCycles = false;
  bool refuseGroups = false;
  /// Per group commit that ran: "cycle A" / "status A" in the order written.
  std::vector<std::vector<std::string>> groups;
  /// Cycle and status writes made outside any group commit.
  int writesOutsideGroups = 0;
  /// Attach/detach writes the real store accepted, in order: "attach A" / "detach A".
  std::vector<std::pair<std::string, TimePoint>> sessionWrites;

  Expected<void> deviceAttached(const std::string& udid, TimePoint at) override {
    if (refuse()) return makeError("db_busy", "database is locked");
    auto r = inner_.deviceAttached(udid, at);
    if (r) sessionWrites.emplace_back("attach " + udid, at);
    return r;
  }
  Expected<void> deviceDetached(const std::string& udid, TimePoint at) override {
    if (refuse()) return makeError("db_busy", "database is locked");
    auto r = inner_.deviceDetached(udid, at);
    if (r) sessionWrites.emplace_back("detach " + udid, at);
    return r;
  }
  Expected<void> sessionLocated(const std::string& udid, const std::string& port,
                                const std::optional<std::string>& slotLabel) override {
    if (refuse()) return makeError("db_busy", "database is locked");
    auto r = inner_.sessionLocated(udid, port, slotLabel);
    if (r) sessionWrites.emplace_back("located " + udid + " " + port, TimePoint{});
    return r;
  }
  Expected<void> closeAllSessions(TimePoint at) override { return inner_.closeAllSessions(at); }
  Expected<std::vector<BackupEvent>> recordSnapshot(const DeviceSnapshot& s) override {
    return inner_.recordSnapshot(s);
  }
  Expected<void> recordConditions(const std::string& udid, const std::vector<Condition>& active,
                                  TimePoint at) override {
    if (refuseCycles) return makeError("db_busy", "database is locked");
    return inner_.recordConditions(udid, active, at);
  }
  Expected<void> saveStatus(const DeviceStatus& status) override {
    if (refuseCycles) return makeError("db_busy", "database is locked");
    return inner_.saveStatus(status);
  }
  Expected<void> recordStatus(const std::string& udid, const std::vector<Condition>& active,
                              const DeviceStatus& status, TimePoint at) override {
    note("status " + udid);
    if (refuseCycles) return makeError("db_busy", "database is locked");
    return inner_.recordStatus(udid, active, status, at);
  }
  Expected<std::vector<BackupEvent>> recordCycle(const DeviceSnapshot& snapshot,
                                                 const std::vector<Condition>& active,
                                                 const DeviceStatus& status) override {
    note("cycle " + snapshot.identity.udid);
    if (refuseCycles) return makeError("db_busy", "database is locked");
    return inner_.recordCycle(snapshot, active, status);
  }
  Expected<void> inOneCommit(const std::function<void()>& writes) override {
    if (refuseGroups) return makeError("db_busy", "database is locked");
    groups.emplace_back();
    inGroup_ = true;
    auto r = inner_.inOneCommit(writes);
    inGroup_ = false;
    return r;
  }
  Expected<bool> forget(const std::string& udid, TimePoint at) override {
    return inner_.forget(udid, at);
  }
  Expected<std::vector<std::string>> forgetUnseenSince(TimePoint cutoff) override {
    return inner_.forgetUnseenSince(cutoff);
  }
  Expected<PruneResult> pruneBefore(TimePoint cutoff, int maxRows) override {
    return inner_.pruneBefore(cutoff, maxRows);
  }
  Expected<std::vector<DeviceStatus>> loadStatus() const override { return inner_.loadStatus(); }
  Expected<std::optional<DeviceHistory>> loadHistory(const std::string& udid) const override {
    return inner_.loadHistory(udid);
  }
  Expected<std::vector<DeviceHistory>> loadAllHistories() const override {
    return inner_.loadAllHistories();
  }
  Expected<DeviceTimeline> timeline(const std::string& udid) const override {
    return inner_.timeline(udid);
  }
  Expected<std::vector<std::string>> forgottenUdids() const override {
    return inner_.forgottenUdids();
  }

 private:
  void note(const std::string& write) {
    if (inGroup_) {
      groups.back().push_back(write);
    } else {
      ++writesOutsideGroups;
    }
  }
  bool refuse() {
    if (failSessionWrites <= 0) return false;
    --failSessionWrites;
    return true;
  }
  Store& inner_;
  bool inGroup_ = false;
};

}  // namespace ibackupmon::testing

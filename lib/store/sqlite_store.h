// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The SQLite implementation of Store (store.h). Schema: migrations/ and docs/schema.md.

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/database.h"
#include "store/store.h"

namespace ibackupmon {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

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
  Expected<std::vector<BackupEvent>> recordCycle(const DeviceSnapshot& snapshot,
                                                 const std::vector<Condition>& active,
                                                 const DeviceStatus& status) override;
  Expected<void> inOneCommit(const std::function<void()>& writes) override;
  Expected<bool> forget(const std::string& udid, TimePoint at) override;
  Expected<std::vector<std::string>> forgetUnseenSince(TimePoint cutoff) override;
  Expected<PruneResult> pruneBefore(TimePoint cutoff, int max_rows) override;

  Expected<std::vector<DeviceStatus>> loadStatus() const override;
  Expected<std::optional<DeviceHistory>> loadHistory(const std::string& udid) const override;
  Expected<std::vector<DeviceHistory>> loadAllHistories() const override;
  Expected<DeviceTimeline> timeline(const std::string& udid) const override;
  Expected<std::vector<std::string>> forgottenUdids() const override;

  Database& database() { return db_; }

 private:
  /// The device's row id, inserting the device (first/last seen = at) when new.
  Expected<std::int64_t> ensureDevice(const std::string& udid, TimePoint at);
  Expected<std::optional<std::int64_t>> findDevice(const std::string& udid) const;
  // The *Tx variants run inside the caller's transaction.
  Expected<std::vector<BackupEvent>> recordSnapshotTx(const DeviceSnapshot& snapshot);
  Expected<void> recordConditionsTx(const std::string& udid, const std::vector<Condition>& active,
                                    TimePoint at);
  Expected<void> saveStatusTx(const DeviceStatus& status);
  Expected<void> recordStatusTx(const std::string& udid, const std::vector<Condition>& active,
                                const DeviceStatus& status, TimePoint at);
  Expected<std::vector<BackupEvent>> insertBackupEvents(std::int64_t id, const DeviceSnapshot& s);
  Expected<void> updateObservation(std::int64_t id, const DeviceSnapshot& s);
  Expected<int> pruneTable(const char* sql, std::int64_t cutoff, int budget);
  /// One device's history (udid), or every device not forgotten (nullopt).
  Expected<std::vector<DeviceHistory>> queryHistories(const std::optional<std::string>& udid) const;

  /// Runs f() in one write transaction. On failure (e.g. SQLITE_FULL) everything rolls back and
  /// the id cache is dropped, since it may name devices inserted by the rolled-back transaction.
  /// After a disk-full failure the WAL is checkpointed and truncated before writes (see
  /// reclaimWal); a write that failed for lack of space is retried once when that freed some.
  /// Inside inOneCommit f() runs in a savepoint of the group's transaction instead (writeInGroup).
  template <class F>
  auto write(F&& f) -> decltype(f()) {
    if (group_) return writeInGroup(f);
    if (lowSpace_) reclaimWal();
    auto result = writeOnce(f);
    if (!result && result.error().code == "db_full") {
      lowSpace_ = true;
      if (reclaimWal()) result = writeOnce(f);
    }
    if (result && lowSpace_) reclaimWal();
    return result;
  }
  template <class F>
  auto writeOnce(F& f) -> decltype(f()) {
    auto tx = Transaction::begin(db_);
    if (!tx) return tl::unexpected(tx.error());
    auto result = f();
    if (result) {
      if (auto ok = tx->commit(); !ok) {
        ids_.clear();
        return tl::unexpected(ok.error());
      }
      return result;
    }
    ids_.clear();
    return result;
  }
  /// One write of a group: its own savepoint, undone alone when it fails. When SQLite has rolled
  /// the whole transaction back (SQLITE_FULL, SQLITE_IOERR), the group is broken: this and every
  /// later write of it fail, and inOneCommit reports the error.
  template <class F>
  auto writeInGroup(F& f) -> decltype(f()) {
    if (group_->broken) return tl::unexpected(*group_->broken);
    if (auto ok = db_.exec("SAVEPOINT group_write"); !ok) {
      group_->broken = ok.error();
      return tl::unexpected(ok.error());
    }
    auto result = f();
    if (result) {
      if (auto ok = db_.exec("RELEASE group_write"); !ok) {
        group_->broken = ok.error();
        ids_.clear();
        return tl::unexpected(ok.error());
      }
      return result;
    }
    ids_.clear();
    if (result.error().code == "db_full") lowSpace_ = true;
    if (!db_.inTransaction() || !db_.exec("ROLLBACK TO group_write") ||
        !db_.exec("RELEASE group_write")) {
      group_->broken = result.error();
    }
    return result;
  }
  /// Moves the WAL into the database file and truncates it to 0 bytes. Returns whether it did.
  /// Normally the WAL is checkpointed at ~1000 pages (4 MB) and keeps its size; on a nearly full
  /// file system those 4 MB may never be there again, so after a failure for lack of space the
  /// WAL is emptied around every write until the file system has room again (lowSpace_).
  bool reclaimWal();

  mutable Database db_;
  std::unordered_map<std::string, std::int64_t> ids_;  ///< udid -> devices.id (writer cache)
  bool lowSpace_ = false;  ///< a write failed for lack of space and the disk is still nearly full
  struct Group {
    std::optional<Error> broken;  ///< the group's transaction is gone: why
  };
  std::optional<Group> group_;  ///< inside inOneCommit
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The audit trail of remediation (migrations/0005_actions.sql): what was requested, started and
/// finished, and the counts the safety rules need. Used from the daemon's strand only, on its own
/// connection; ibackupmonctl opens it read-only for `history` and `device`.
///
///   auto repo = ActionRepository::open(path);
///   auto id = repo->request(record);              // result Pending
///   repo->markStarted(*id, now);
///   repo->finish(*id, ActionResult::Done, "", "verified", now);

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/remediation.h"
#include "store/database.h"

namespace ibackupmon {

/// One device's local safety-net backups (the `local_backups` table): its folder, the newest
/// backup that finished, and how the last run ended.
struct LocalBackupRecord {
  std::string udid;
  std::string directory;
  std::optional<TimePoint> finishedAt;  ///< the newest finished backup
  std::optional<TimePoint> fullAt;      ///< the newest finished full backup
  std::optional<std::uint64_t> bytes;   ///< its size, measured once when it finished
  bool encrypted = false;
  std::optional<TimePoint> lastStartedAt;
  std::optional<TimePoint> lastEndedAt;
  std::string lastResult;  ///< done / failed / interrupted; "" while the first run goes
  std::string lastReason;
  int failuresInRow = 0;
};

class ActionRepository {
 public:
  /// busyTimeout: how long a write waits for another process's lock after opening (store.h,
  /// kDaemonBusyTimeout); opening and migrating wait 5 s.
  static Expected<ActionRepository> open(
      const std::string& path, std::chrono::milliseconds busyTimeout = std::chrono::seconds(5));
  static Expected<ActionRepository> openReadOnly(const std::string& path);
  explicit ActionRepository(Database db) : db_(std::move(db)) {}

  /// Inserts `record` (its id is ignored) and returns the new id. A record whose result is not
  /// Pending is stored as finished (a skip, a dry run).
  Expected<std::int64_t> request(const ActionRecord& record);
  Expected<void> markStarted(std::int64_t id, TimePoint at);
  /// Sets result, reason and outcome; `finishedAt` nullopt keeps the action unfinished (a
  /// restart sent, its device not back yet).
  Expected<void> finish(std::int64_t id, ActionResult result, const std::string& reason,
                        const std::string& outcome, std::optional<TimePoint> finishedAt);
  /// Every action without a finish time becomes `interrupted` (called once at start-up).
  /// Returns how many.
  Expected<int> interruptUnfinished(TimePoint at);

  Expected<std::optional<ActionRecord>> byId(std::int64_t id);
  /// Newest first; `limit` <= 0 = all.
  Expected<std::vector<ActionRecord>> forDevice(const std::string& udid, int limit);
  /// Everything requested at or after `since`, oldest first (the digest).
  Expected<std::vector<ActionRecord>> since(TimePoint since);
  /// The newest record of this action on this device, whatever its result.
  Expected<std::optional<ActionRecord>> last(const std::string& udid, RemediationAction action);
  /// When this action was last requested on this device, counting everything but skips.
  Expected<std::optional<TimePoint>> lastCounted(const std::string& udid, RemediationAction action);
  /// Counted actions of this kind on the whole host requested at or after `since`.
  Expected<int> countSince(RemediationAction action, TimePoint since);
  /// Unfinished actions (any device) of this kind.
  Expected<std::vector<ActionRecord>> unfinished(RemediationAction action);
  /// The newest action on this device that went to it or was meant to: done, failed or
  /// interrupted (not skips, not dry runs, not unfinished; not local backups, which have their
  /// own table and condition).
  Expected<std::optional<ActionRecord>> lastFinished(const std::string& udid);
  /// When this device's iCloud Backup was last turned on by the daemon and verified.
  Expected<std::optional<TimePoint>> lastVerifiedEnable(const std::string& udid);
  /// Whether the device was ever diagnosed passcode_locked (its condition history, kept for
  /// retention.days).
  Expected<bool> everSeenLocked(const std::string& udid);
  /// The acknowledgements of this device in force at `now` (ibackupmonctl ack): the condition
  /// ids, with "" for the whole device.
  Expected<std::set<std::string>> acknowledged(const std::string& udid, TimePoint now);

  /// Local backups: every device's row, by UDID; one device's; a run that starts (creates the
  /// row); a run that ended (`finished` set: the backup finished and was measured).
  Expected<std::vector<LocalBackupRecord>> localBackups();
  Expected<std::optional<LocalBackupRecord>> localBackup(const std::string& udid);
  Expected<void> localBackupStarted(const std::string& udid, const std::string& directory,
                                    TimePoint at);
  struct LocalBackupEnd {
    TimePoint at{};
    std::string result;  ///< done / failed / interrupted
    std::string reason;
    bool finished = false;  ///< a backup finished: the fields below describe it
    bool full = false;
    std::uint64_t bytes = 0;
    bool encrypted = false;
  };
  Expected<void> localBackupEnded(const std::string& udid, const LocalBackupEnd& end);
  /// Forgets a device's row once its folder is deleted.
  Expected<void> removeLocalBackup(const std::string& udid);

  /// The kill switch: nullopt = not paused; TimePoint::max() = until resume.
  Expected<std::optional<TimePoint>> pausedUntil();
  Expected<void> pause(TimePoint at, std::optional<TimePoint> until);
  Expected<void> resume();

 private:
  Database db_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "store/action_repository.h"

#include "store/migrator.h"
#include "store/query.h"

namespace ibackupmon {

namespace {

constexpr const char* kColumns =
    "SELECT id, udid, action, trigger, comment, requested_at, started_at, finished_at, "
    "result, reason, outcome FROM actions ";

ActionRecord readRecord(const Row& r) {
  ActionRecord a;
  a.id = r.int64("id");
  a.udid = r.text("udid");
  a.action = remediationActionFromString(r.text("action")).value_or(RemediationAction::Restart);
  a.trigger = actionTriggerFromString(r.text("trigger")).value_or(ActionTrigger::Policy);
  a.comment = r.text("comment");
  a.requestedAt = r.time("requested_at");
  a.startedAt = r.optionalTime("started_at");
  a.finishedAt = r.optionalTime("finished_at");
  const auto result = r.optionalText("result");
  a.result = result ? actionResultFromString(*result).value_or(ActionResult::Failed)
                    : ActionResult::Pending;
  a.reason = r.text("reason");
  a.outcome = r.text("outcome");
  return a;
}

LocalBackupRecord readLocalBackup(const Row& r) {
  LocalBackupRecord b;
  b.udid = r.text("udid");
  b.directory = r.text("directory");
  b.finishedAt = r.optionalTime("finished_at");
  b.fullAt = r.optionalTime("full_at");
  if (auto bytes = r.optionalInt64("bytes")) b.bytes = static_cast<std::uint64_t>(*bytes);
  b.encrypted = r.int64("encrypted") != 0;
  b.lastStartedAt = r.optionalTime("last_started_at");
  b.lastEndedAt = r.optionalTime("last_ended_at");
  b.lastResult = r.text("last_result");
  b.lastReason = r.text("last_reason");
  b.failuresInRow = static_cast<int>(r.int64("failures_in_row"));
  return b;
}

constexpr const char* kLocalBackupColumns =
    "SELECT udid, directory, finished_at, full_at, bytes, encrypted, last_started_at, "
    "last_ended_at, last_result, last_reason, failures_in_row FROM local_backups ";

std::optional<std::string> resultColumn(ActionResult r) {
  if (r == ActionResult::Pending) return std::nullopt;
  return std::string(toString(r));
}

}  // namespace

Expected<ActionRepository> ActionRepository::open(const std::string& path,
                                                  std::chrono::milliseconds busyTimeout) {
  return openMigrated(path, DbAccess::ReadWrite).map([busyTimeout](Database db) {
    db.setBusyTimeout(busyTimeout);
    return ActionRepository(std::move(db));
  });
}

Expected<ActionRepository> ActionRepository::openReadOnly(const std::string& path) {
  return openMigrated(path, DbAccess::ReadOnly).map([](Database db) {
    return ActionRepository(std::move(db));
  });
}

Expected<std::int64_t> ActionRepository::request(const ActionRecord& a) {
  const bool finished = a.result != ActionResult::Pending;
  const std::optional<std::int64_t> finishedAt =
      finished ? unixOrNull(a.finishedAt.value_or(a.requestedAt)) : unixOrNull(a.finishedAt);
  auto ok = execBound(db_,
                      "INSERT INTO actions (udid, action, trigger, comment, requested_at, "
                      "started_at, finished_at, result, reason, outcome) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                      a.udid, toString(a.action), toString(a.trigger), a.comment,
                      toUnixSeconds(a.requestedAt), unixOrNull(a.startedAt), finishedAt,
                      resultColumn(a.result), a.reason, a.outcome);
  if (!ok) return tl::unexpected(ok.error());
  return db_.lastInsertRowid();
}

Expected<void> ActionRepository::markStarted(std::int64_t id, TimePoint at) {
  return execBound(db_, "UPDATE actions SET started_at = ?2 WHERE id = ?1", id, toUnixSeconds(at));
}

Expected<void> ActionRepository::finish(std::int64_t id, ActionResult result,
                                        const std::string& reason, const std::string& outcome,
                                        std::optional<TimePoint> finishedAt) {
  return execBound(db_,
                   "UPDATE actions SET result = ?2, reason = ?3, outcome = ?4, finished_at = ?5 "
                   "WHERE id = ?1",
                   id, resultColumn(result), reason, outcome, unixOrNull(finishedAt));
}

Expected<int> ActionRepository::interruptUnfinished(TimePoint at) {
  auto ok = execBound(db_,
                      "UPDATE actions SET result = 'interrupted', finished_at = ?1, "
                      "reason = CASE WHEN reason = '' THEN 'daemon_stopped' ELSE reason END "
                      "WHERE finished_at IS NULL",
                      toUnixSeconds(at));
  if (!ok) return tl::unexpected(ok.error());
  return db_.changes();
}

Expected<std::optional<ActionRecord>> ActionRepository::byId(std::int64_t id) {
  return queryOne(db_, std::string(kColumns) + "WHERE id = ?1", binds(id), readRecord);
}

Expected<std::vector<ActionRecord>> ActionRepository::forDevice(const std::string& udid,
                                                                int limit) {
  return queryAll(db_, std::string(kColumns) + "WHERE udid = ?1 ORDER BY id DESC LIMIT ?2",
                  binds(udid, limit > 0 ? limit : -1), readRecord);
}

Expected<std::vector<ActionRecord>> ActionRepository::since(TimePoint since) {
  return queryAll(db_, std::string(kColumns) + "WHERE requested_at >= ?1 ORDER BY id",
                  binds(toUnixSeconds(since)), readRecord);
}

Expected<std::optional<ActionRecord>> ActionRepository::last(const std::string& udid,
                                                             RemediationAction action) {
  return queryOne(
      db_, std::string(kColumns) + "WHERE udid = ?1 AND action = ?2 ORDER BY id DESC LIMIT 1",
      binds(udid, toString(action)), readRecord);
}

Expected<std::optional<TimePoint>> ActionRepository::lastCounted(const std::string& udid,
                                                                 RemediationAction action) {
  auto row =
      queryOne(db_,
               "SELECT max(requested_at) AS at FROM actions WHERE udid = ?1 AND "
               "action = ?2 AND (result IS NULL OR result != 'skipped')",
               binds(udid, toString(action)), [](const Row& r) { return r.optionalTime("at"); });
  if (!row) return tl::unexpected(row.error());
  return *row ? **row : std::nullopt;
}

Expected<int> ActionRepository::countSince(RemediationAction action, TimePoint since) {
  auto row = queryOne(db_,
                      "SELECT count(*) AS n FROM actions WHERE action = ?1 AND "
                      "requested_at >= ?2 AND (result IS NULL OR result != 'skipped')",
                      binds(toString(action), toUnixSeconds(since)),
                      [](const Row& r) { return static_cast<int>(r.int64("n")); });
  if (!row) return tl::unexpected(row.error());
  return row->value_or(0);
}

Expected<std::vector<ActionRecord>> ActionRepository::unfinished(RemediationAction action) {
  return queryAll(db_,
                  std::string(kColumns) + "WHERE action = ?1 AND finished_at IS NULL ORDER BY id",
                  binds(toString(action)), readRecord);
}

Expected<std::optional<ActionRecord>> ActionRepository::lastFinished(const std::string& udid) {
  return queryOne(db_,
                  std::string(kColumns) +
                      "WHERE udid = ?1 AND action != 'local_backup' AND "
                      "result IN ('done', 'failed', 'interrupted') "
                      "ORDER BY id DESC LIMIT 1",
                  binds(udid), readRecord);
}

Expected<std::optional<TimePoint>> ActionRepository::lastVerifiedEnable(const std::string& udid) {
  auto row = queryOne(db_,
                      "SELECT max(finished_at) AS at FROM actions WHERE udid = ?1 AND "
                      "action = 'enable_icloud_backup' AND result = 'done' AND "
                      "outcome = 'verified'",
                      binds(udid), [](const Row& r) { return r.optionalTime("at"); });
  if (!row) return tl::unexpected(row.error());
  return *row ? **row : std::nullopt;
}

Expected<bool> ActionRepository::everSeenLocked(const std::string& udid) {
  auto row = queryOne(db_,
                      "SELECT EXISTS (SELECT 1 FROM condition_intervals c JOIN devices d ON "
                      "d.id = c.device_id WHERE d.udid = ?1 AND "
                      "c.condition_id = 'passcode_locked') AS seen",
                      binds(udid), [](const Row& r) { return r.int64("seen") != 0; });
  if (!row) return tl::unexpected(row.error());
  return row->value_or(false);
}

Expected<std::set<std::string>> ActionRepository::acknowledged(const std::string& udid,
                                                               TimePoint now) {
  auto rows =
      queryAll(db_,
               "SELECT condition FROM alert_acks WHERE udid = ?1 AND "
               "(until IS NULL OR until > ?2)",
               binds(udid, toUnixSeconds(now)), [](const Row& r) { return r.text("condition"); });
  if (!rows) return tl::unexpected(rows.error());
  return std::set<std::string>(rows->begin(), rows->end());
}

Expected<std::vector<LocalBackupRecord>> ActionRepository::localBackups() {
  return queryAll(db_, std::string(kLocalBackupColumns) + "ORDER BY udid", binds(),
                  readLocalBackup);
}

Expected<std::optional<LocalBackupRecord>> ActionRepository::localBackup(const std::string& udid) {
  return queryOne(db_, std::string(kLocalBackupColumns) + "WHERE udid = ?1", binds(udid),
                  readLocalBackup);
}

Expected<void> ActionRepository::localBackupStarted(const std::string& udid,
                                                    const std::string& directory, TimePoint at) {
  return execBound(db_,
                   "INSERT INTO local_backups (udid, directory, last_started_at) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT (udid) DO UPDATE SET "
                   "directory = excluded.directory, last_started_at = excluded.last_started_at",
                   udid, directory, toUnixSeconds(at));
}

Expected<void> ActionRepository::localBackupEnded(const std::string& udid,
                                                  const LocalBackupEnd& end) {
  if (!end.finished) {
    return execBound(db_,
                     "UPDATE local_backups SET last_ended_at = ?2, last_result = ?3, "
                     "last_reason = ?4, failures_in_row = failures_in_row + "
                     "(CASE WHEN ?3 = 'failed' THEN 1 ELSE 0 END) WHERE udid = ?1",
                     udid, toUnixSeconds(end.at), end.result, end.reason);
  }
  return execBound(db_,
                   "UPDATE local_backups SET last_ended_at = ?2, last_result = ?3, "
                   "last_reason = ?4, failures_in_row = 0, finished_at = ?2, "
                   "full_at = CASE WHEN ?5 THEN ?2 ELSE full_at END, bytes = ?6, encrypted = ?7 "
                   "WHERE udid = ?1",
                   udid, toUnixSeconds(end.at), end.result, end.reason,
                   static_cast<std::int64_t>(end.full ? 1 : 0),
                   static_cast<std::int64_t>(end.bytes),
                   static_cast<std::int64_t>(end.encrypted ? 1 : 0));
}

Expected<void> ActionRepository::removeLocalBackup(const std::string& udid) {
  return execBound(db_, "DELETE FROM local_backups WHERE udid = ?1", udid);
}

Expected<std::optional<TimePoint>> ActionRepository::pausedUntil() {
  auto row =
      queryOne(db_, "SELECT until FROM remediation_pause WHERE id = 1", binds(),
               [](const Row& r) { return r.optionalTime("until").value_or(TimePoint::max()); });
  if (!row) return tl::unexpected(row.error());
  return *row;
}

Expected<void> ActionRepository::pause(TimePoint at, std::optional<TimePoint> until) {
  return execBound(db_,
                   "INSERT OR REPLACE INTO remediation_pause (id, paused_at, until) "
                   "VALUES (1, ?1, ?2)",
                   toUnixSeconds(at), unixOrNull(until));
}

Expected<void> ActionRepository::resume() {
  return execBound(db_, "DELETE FROM remediation_pause");
}

}  // namespace ibackupmon

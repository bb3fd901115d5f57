// SPDX-License-Identifier: Apache-2.0
// `ibackupmonctl history`: backups, condition intervals, attach sessions, observations.
#include "store/query.h"
#include "store/sqlite_store.h"

namespace ibackupmon {

Expected<DeviceTimeline> SqliteStore::timeline(const std::string& udid) const {
  auto id = findDevice(udid);
  if (!id) return tl::unexpected(id.error());
  if (!*id) return makeError("not_found", "no device with UDID " + udid + " in " + db_.path());
  DeviceTimeline t;
  t.udid = udid;
  auto backups =
      queryAll(db_,
               "SELECT kind, at, observed_at FROM backup_events WHERE device_id = ?1 "
               "ORDER BY at, kind",
               binds(**id), [&](const Row& r) {
                 return BackupEvent{udid, r.text("kind"), r.time("at"), r.time("observed_at")};
               });
  if (!backups) return tl::unexpected(backups.error());
  t.backups = std::move(*backups);
  auto conditions = queryAll(
      db_,
      "SELECT condition_id, severity, opened, closed, evidence FROM "
      "condition_intervals WHERE device_id = ?1 ORDER BY opened, id",
      binds(**id), [&](const Row& r) {
        return ConditionInterval{udid,
                                 r.text("condition_id"),
                                 severityFromString(r.text("severity")).value_or(Severity::Warning),
                                 r.time("opened"),
                                 r.optionalTime("closed"),
                                 r.text("evidence")};
      });
  if (!conditions) return tl::unexpected(conditions.error());
  t.conditions = std::move(*conditions);
  auto sessions =
      queryAll(db_,
               "SELECT attached, detached, port, slot_label FROM attach_sessions "
               "WHERE device_id = ?1 ORDER BY attached_ms",
               binds(**id), [&](const Row& r) {
                 return AttachSession{udid, r.time("attached"), r.optionalTime("detached"),
                                      r.optionalText("port"), r.optionalText("slot_label")};
               });
  if (!sessions) return tl::unexpected(sessions.error());
  t.sessions = std::move(*sessions);
  auto observations = queryAll(db_,
                               "SELECT observed_at, changes FROM observations WHERE device_id = ?1 "
                               "ORDER BY observed_at",
                               binds(**id), [](const Row& r) {
                                 return ObservationChange{r.time("observed_at"), r.text("changes")};
                               });
  if (!observations) return tl::unexpected(observations.error());
  t.observations = std::move(*observations);
  return t;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// `ibackupmonctl history`: backups, condition intervals, attach sessions, observations.
#include "store/query.h"
#include "store/sqlite_store.h"

namespace ibackupmon {
namespace {

template <class F>
Expected<void> forEachRow(Database& db, std::string_view sql, std::int64_t id, F&& f) {
  auto st = bound(db, sql, id);
  if (!st) return tl::unexpected(st.error());
  for (;;) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return {};
    f(**st);
  }
}

}  // namespace

Expected<DeviceTimeline> SqliteStore::timeline(const std::string& udid) const {
  auto id = findDevice(udid);
  if (!id) return tl::unexpected(id.error());
  if (!*id) return makeError("not_found", "no device with UDID " + udid + " in " + db_.path());
  DeviceTimeline t;
  t.udid = udid;
  auto ok =
      forEachRow(db_,
                 "SELECT kind, at, observed_at FROM backup_events WHERE device_id = ?1 "
                 "ORDER BY at, kind",
                 **id, [&](const Statement& r) {
                   t.backups.push_back(BackupEvent{udid, r.text(0), fromUnixSeconds(r.int64(1)),
                                                   fromUnixSeconds(r.int64(2))});
                 });
  if (!ok) return tl::unexpected(ok.error());
  ok = forEachRow(db_,
                  "SELECT condition_id, severity, opened, closed, evidence FROM "
                  "condition_intervals WHERE device_id = ?1 ORDER BY opened, id",
                  **id, [&](const Statement& r) {
                    t.conditions.push_back(ConditionInterval{
                        udid, r.text(0), severityFromString(r.text(1)).value_or(Severity::Warning),
                        fromUnixSeconds(r.int64(2)), timeOrNull(r.optInt64(3)), r.text(4)});
                  });
  if (!ok) return tl::unexpected(ok.error());
  ok = forEachRow(db_,
                  "SELECT attached, detached FROM attach_sessions WHERE device_id = ?1 "
                  "ORDER BY attached_ms",
                  **id, [&](const Statement& r) {
                    t.sessions.push_back(AttachSession{udid, fromUnixSeconds(r.int64(0)),
                                                       timeOrNull(r.optInt64(1))});
                  });
  if (!ok) return tl::unexpected(ok.error());
  ok = forEachRow(
      db_,
      "SELECT observed_at, changes FROM observations WHERE device_id = ?1 "
      "ORDER BY observed_at",
      **id, [&](const Statement& r) {
        t.observations.push_back(ObservationChange{fromUnixSeconds(r.int64(0)), r.text(1)});
      });
  if (!ok) return tl::unexpected(ok.error());
  return t;
}

}  // namespace ibackupmon

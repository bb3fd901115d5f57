// SPDX-License-Identifier: Apache-2.0
// Condition intervals and the status row.
#include <map>

#include "store/query.h"
#include "store/sqlite_store.h"
#include "store/store_codec.h"

namespace ibackupmon {
namespace {

struct OpenInterval {
  std::int64_t rowId = 0;
  std::string severity;
};

}  // namespace

Expected<void> SqliteStore::recordConditionsTx(const std::string& udid,
                                               const std::vector<Condition>& active, TimePoint at) {
  auto id = ensureDevice(udid, at);
  if (!id) return tl::unexpected(id.error());
  std::map<std::string, OpenInterval> open;
  auto read =
      forEachRow(db_,
                 "SELECT id, condition_id, severity FROM condition_intervals "
                 "WHERE device_id = ?1 AND closed IS NULL",
                 binds(*id), [&](const Row& r) {
                   open[r.text("condition_id")] = OpenInterval{r.int64("id"), r.text("severity")};
                 });
  if (!read) return read;
  const auto now = toUnixSeconds(at);
  for (const auto& c : active) {
    auto it = open.find(c.id);
    if (it == open.end()) {
      // The interval starts when the condition really began (e.g. backup_stale: last backup +
      // stale_after), not when this probe noticed it; never in the future.
      auto since = c.since == TimePoint{} ? now : std::min(toUnixSeconds(c.since), now);
      auto ok =
          execBound(db_,
                    "INSERT INTO condition_intervals (device_id, condition_id, severity, "
                    "opened, evidence) VALUES (?1, ?2, ?3, ?4, ?5)",
                    *id, c.id, toString(c.severity), since, codec::encodeEvidence(c.evidence));
      if (!ok) return ok;
      continue;
    }
    // Evidence is kept as first seen; an escalation (backup_stale warning -> critical) updates
    // severity and evidence. Rewriting it every probe would cost a page write per probe.
    if (it->second.severity != toString(c.severity)) {
      auto ok = execBound(
          db_, "UPDATE condition_intervals SET severity = ?2, evidence = ?3 WHERE id = ?1",
          it->second.rowId, toString(c.severity), codec::encodeEvidence(c.evidence));
      if (!ok) return ok;
    }
    open.erase(it);
  }
  for (const auto& [conditionId, interval] : open) {
    auto ok =
        execBound(db_, "UPDATE condition_intervals SET closed = max(opened, ?2) WHERE id = ?1",
                  interval.rowId, now);
    if (!ok) return ok;
  }
  return {};
}

Expected<void> SqliteStore::recordConditions(const std::string& udid,
                                             const std::vector<Condition>& active, TimePoint at) {
  return write([&] { return recordConditionsTx(udid, active, at); });
}

Expected<void> SqliteStore::saveStatusTx(const DeviceStatus& status) {
  TimePoint at = status.lastSeen.value_or(std::chrono::system_clock::now());
  auto id = ensureDevice(status.udid, at);
  if (!id) return tl::unexpected(id.error());
  // The devices row follows the status the monitor shows (connection, last sighting).
  auto ok = execBound(
      db_, "UPDATE devices SET connected = ?2, last_seen = max(last_seen, ?3) WHERE id = ?1", *id,
      status.connected ? 1 : 0, toUnixSeconds(at));
  if (!ok) return ok;
  return execBound(db_,
                   "INSERT INTO device_status (device_id, updated_at, status_json) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT (device_id) DO UPDATE SET "
                   "updated_at = excluded.updated_at, status_json = excluded.status_json",
                   *id, toUnixSeconds(at), codec::encodeStatus(status));
}

Expected<void> SqliteStore::saveStatus(const DeviceStatus& status) {
  return write([&] { return saveStatusTx(status); });
}

Expected<void> SqliteStore::recordStatusTx(const std::string& udid,
                                           const std::vector<Condition>& active,
                                           const DeviceStatus& status, TimePoint at) {
  if (auto ok = recordConditionsTx(udid, active, at); !ok) return ok;
  return saveStatusTx(status);
}

Expected<void> SqliteStore::recordStatus(const std::string& udid,
                                         const std::vector<Condition>& active,
                                         const DeviceStatus& status, TimePoint at) {
  return write([&] { return recordStatusTx(udid, active, status, at); });
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Retention: history older than the cutoff goes, in small batches, device by device (each
// delete is an index range on the device's key, so a batch never scans the whole table).
#include <vector>

#include "store/query.h"
#include "store/sqlite_store.h"

namespace ibackupmon {
namespace {

// ?1 device id, ?2 cutoff, ?3 row budget. Open intervals and sessions are never pruned.
constexpr const char* kPruneStatements[] = {
    "DELETE FROM observations WHERE device_id = ?1 AND observed_at IN (SELECT observed_at FROM "
    "observations WHERE device_id = ?1 AND observed_at < ?2 ORDER BY observed_at LIMIT ?3)",
    "DELETE FROM backup_events WHERE device_id = ?1 AND (kind, at) IN (SELECT kind, at FROM "
    "backup_events WHERE device_id = ?1 AND at < ?2 LIMIT ?3)",
    "DELETE FROM condition_intervals WHERE id IN (SELECT id FROM condition_intervals WHERE "
    "device_id = ?1 AND closed < ?2 LIMIT ?3)",
    "DELETE FROM attach_sessions WHERE device_id = ?1 AND attached_ms IN (SELECT attached_ms "
    "FROM attach_sessions WHERE device_id = ?1 AND detached < ?2 LIMIT ?3)",
};

// Pages handed back to the file system per call: bounded so one call stays short.
constexpr int kVacuumPages = 256;

}  // namespace

Expected<PruneResult> SqliteStore::pruneBefore(TimePoint cutoff, int max_rows) {
  const auto t = toUnixSeconds(cutoff);
  auto result = write([&]() -> Expected<PruneResult> {
    auto ids = queryAll(db_, "SELECT id FROM devices ORDER BY id",
                        [](const Row& r) { return r.int64("id"); });
    if (!ids) return tl::unexpected(ids.error());
    PruneResult r;
    for (const char* sql : kPruneStatements) {
      for (auto id : *ids) {
        if (r.rowsDeleted >= max_rows) {
          r.more = true;
          return r;
        }
        auto ok = execBound(db_, sql, id, t, max_rows - r.rowsDeleted);
        if (!ok) return tl::unexpected(ok.error());
        r.rowsDeleted += static_cast<int>(db_.changes());
      }
    }
    // Forgotten devices whose last sighting is past retention leave entirely (cascade).
    auto ok = execBound(db_,
                        "DELETE FROM devices WHERE id IN (SELECT id FROM devices WHERE "
                        "forgotten_at IS NOT NULL AND last_seen < ?1 LIMIT ?2)",
                        t, std::max(1, max_rows - r.rowsDeleted));
    if (!ok) return tl::unexpected(ok.error());
    if (db_.changes() > 0) ids_.clear();
    r.rowsDeleted += static_cast<int>(db_.changes());
    r.more = r.rowsDeleted >= max_rows;
    return r;
  });
  if (result && result->rowsDeleted > 0) {
    (void)db_.exec("PRAGMA incremental_vacuum(" + std::to_string(kVacuumPages) + ")");
  }
  return result;
}

}  // namespace ibackupmon

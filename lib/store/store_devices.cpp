// SPDX-License-Identifier: Apache-2.0
// Devices, attach sessions and forgetting.
#include "store/query.h"
#include "store/sqlite_store.h"

namespace ibackupmon {

Expected<std::optional<std::int64_t>> SqliteStore::findDevice(const std::string& udid) const {
  return queryOne(db_, "SELECT id FROM devices WHERE udid = ?1", binds(udid),
                  [](const Row& r) { return r.int64("id"); });
}

Expected<std::int64_t> SqliteStore::ensureDevice(const std::string& udid, TimePoint at) {
  if (auto it = ids_.find(udid); it != ids_.end()) return it->second;
  auto found = findDevice(udid);
  if (!found) return tl::unexpected(found.error());
  if (!*found) {
    auto t = toUnixSeconds(at);
    auto ok = execBound(
        db_, "INSERT INTO devices (udid, first_seen, last_seen) VALUES (?1, ?2, ?2)", udid, t);
    if (!ok) return tl::unexpected(ok.error());
    *found = db_.lastInsertRowid();
  }
  ids_[udid] = **found;
  return **found;
}

Expected<void> SqliteStore::deviceAttached(const std::string& udid, TimePoint at) {
  return write([&]() -> Expected<void> {
    auto id = ensureDevice(udid, at);
    if (!id) return tl::unexpected(id.error());
    auto t = toUnixSeconds(at);
    // A device that comes back is live again, even if it was forgotten.
    auto ok = execBound(db_,
                        "UPDATE devices SET connected = 1, forgotten_at = NULL, "
                        "last_seen = max(last_seen, ?2) WHERE id = ?1",
                        *id, t);
    if (!ok) return ok;
    // The partial unique index on open sessions makes this a no-op when one is already open.
    // The key is the attach time in milliseconds, moved past the device's newest session if a
    // clock step put it earlier, so an attach never collides with a session already recorded.
    return execBound(db_,
                     "INSERT OR IGNORE INTO attach_sessions (device_id, attached_ms, attached) "
                     "SELECT ?1, max(?3, coalesce(max(attached_ms) + 1, ?3)), ?2 "
                     "FROM attach_sessions WHERE device_id = ?1",
                     *id, t, toUnixMillis(at));
  });
}

Expected<void> SqliteStore::deviceDetached(const std::string& udid, TimePoint at) {
  return write([&]() -> Expected<void> {
    auto id = findDevice(udid);
    if (!id) return tl::unexpected(id.error());
    if (!*id) return {};
    auto t = toUnixSeconds(at);
    auto ok = execBound(db_,
                        "UPDATE attach_sessions SET detached = max(attached, ?2) "
                        "WHERE device_id = ?1 AND detached IS NULL",
                        **id, t);
    if (!ok) return ok;
    return execBound(
        db_, "UPDATE devices SET connected = 0, last_seen = max(last_seen, ?2) WHERE id = ?1", **id,
        t);
  });
}

Expected<void> SqliteStore::sessionLocated(const std::string& udid, const std::string& port,
                                           const std::optional<std::string>& slotLabel) {
  return write([&]() -> Expected<void> {
    auto id = findDevice(udid);
    if (!id) return tl::unexpected(id.error());
    if (!*id) return {};
    return execBound(db_,
                     "UPDATE attach_sessions SET port = ?2, slot_label = ?3 "
                     "WHERE device_id = ?1 AND detached IS NULL",
                     **id, port, slotLabel);
  });
}

Expected<void> SqliteStore::closeAllSessions(TimePoint at) {
  return write([&]() -> Expected<void> {
    // After a crash the true detach time is unknown; the last time the device was seen is the
    // last moment it was known to be attached, so the session ends there (never after `at`).
    auto ok = execBound(db_,
                        "UPDATE attach_sessions SET detached = max(attached, min(?1, "
                        "(SELECT last_seen FROM devices d WHERE d.id = device_id))) "
                        "WHERE detached IS NULL",
                        toUnixSeconds(at));
    if (!ok) return ok;
    return execBound(db_, "UPDATE devices SET connected = 0 WHERE connected != 0");
  });
}

Expected<bool> SqliteStore::forget(const std::string& udid, TimePoint at) {
  auto ok = execBound(
      db_, "UPDATE devices SET forgotten_at = ?2 WHERE udid = ?1 AND forgotten_at IS NULL", udid,
      toUnixSeconds(at));
  if (!ok) return tl::unexpected(ok.error());
  return db_.changes() > 0;
}

Expected<std::vector<std::string>> SqliteStore::forgetUnseenSince(TimePoint cutoff) {
  return write([&] {
    // queryAll resets the statement when it returns, before COMMIT.
    return queryAll(db_,
                    "UPDATE devices SET forgotten_at = ?2 WHERE forgotten_at IS NULL AND "
                    "connected = 0 AND last_seen < ?1 RETURNING udid",
                    binds(toUnixSeconds(cutoff), toUnixSeconds(std::chrono::system_clock::now())),
                    [](const Row& r) { return r.text("udid"); });
  });
}

}  // namespace ibackupmon

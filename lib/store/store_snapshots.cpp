// SPDX-License-Identifier: Apache-2.0
// Probe results: snapshots, observations, backup events, condition intervals, status rows; and
// the group commit that writes several of them at once.
#include <set>

#include "store/query.h"
#include "store/sqlite_store.h"
#include "store/store_codec.h"

namespace ibackupmon {
namespace {

// The same verdict as the monitor's history (deviceAnswered), so that a restart rebuilds it.
bool lockdownAnswered(const DeviceSnapshot& s) {
  if (s.probes.empty()) return s.identity.name || s.backup || s.battery || s.storage;
  return deviceAnswered(s);
}

bool hasData(const DeviceSnapshot& s) {
  return s.identity.name || s.identity.productType || s.backup || s.battery || s.storage ||
         s.account;
}

// What the devices row remembers of the previous probe.
struct Remembered {
  std::string valuesJson;
  std::optional<std::int64_t> valuesHash;
  std::optional<std::int64_t> cloudBackup, computerBackup;
};

constexpr const char* kUpdateDevice =
    "UPDATE devices SET name = coalesce(?2, name), product_type = coalesce(?3, product_type), "
    "ios_version = coalesce(?4, ios_version), build_version = coalesce(?5, build_version), "
    "serial = coalesce(?6, serial), last_seen = max(last_seen, ?7), connected = ?8, "
    "last_checked = ?7, "
    "last_good_probe = CASE WHEN ?9 THEN ?7 ELSE last_good_probe END, "
    "consecutive_failures = CASE WHEN ?9 THEN 0 ELSE consecutive_failures + 1 END, "
    "probe_failing_since = CASE WHEN ?9 THEN NULL ELSE coalesce(probe_failing_since, ?7) END, "
    "last_cloud_backup = coalesce(?10, last_cloud_backup), "
    "last_computer_backup = coalesce(?11, last_computer_backup), "
    "last_snapshot = coalesce(?12, last_snapshot), values_hash = ?13, values_json = ?14 "
    "WHERE id = ?1";

}  // namespace

Expected<std::vector<BackupEvent>> SqliteStore::insertBackupEvents(std::int64_t id,
                                                                   const DeviceSnapshot& s) {
  std::vector<BackupEvent> events;
  if (!s.backup) return events;
  const std::pair<const char*, std::optional<TimePoint>> dates[] = {
      {"icloud", s.backup->lastCloudBackup}, {"computer", s.backup->lastComputerBackup}};
  for (const auto& [kind, at] : dates) {
    if (!at) continue;
    auto ok = execBound(db_,
                        "INSERT OR IGNORE INTO backup_events (device_id, kind, at, observed_at) "
                        "VALUES (?1, ?2, ?3, ?4)",
                        id, kind, toUnixSeconds(*at), toUnixSeconds(s.takenAt));
    if (!ok) return tl::unexpected(ok.error());
    if (db_.changes() > 0) {
      events.push_back(
          BackupEvent{s.identity.udid, kind, fromUnixSeconds(toUnixSeconds(*at)), s.takenAt});
    }
  }
  return events;
}

Expected<void> SqliteStore::updateObservation(std::int64_t id, const DeviceSnapshot& s) {
  auto remembered = queryOne(db_,
                             "SELECT values_json, values_hash, last_cloud_backup, "
                             "last_computer_backup FROM devices WHERE id = ?1",
                             binds(id), [](const Row& r) {
                               return Remembered{r.optionalText("values_json").value_or(""),
                                                 r.optionalInt64("values_hash"),
                                                 r.optionalInt64("last_cloud_backup"),
                                                 r.optionalInt64("last_computer_backup")};
                             });
  if (!remembered) return tl::unexpected(remembered.error());
  const Remembered was = remembered->value_or(Remembered{});
  const std::string& previous = was.valuesJson;
  std::string values = codec::observationValues(s, previous);
  std::int64_t hash = codec::stableHash(values);
  const bool answered = lockdownAnswered(s);
  std::string changes = codec::observationChanges(previous, values);
  bool steppedBack = false;
  if (s.backup) {
    steppedBack |= codec::noteStepBack(changes, "icloud_backup_stepped_back", was.cloudBackup,
                                       s.backup->lastCloudBackup);
    steppedBack |= codec::noteStepBack(changes, "computer_backup_stepped_back", was.computerBackup,
                                       s.backup->lastComputerBackup);
  }
  if (!was.valuesHash || *was.valuesHash != hash || steppedBack) {
    auto ok = execBound(db_,
                        "INSERT OR REPLACE INTO observations (device_id, observed_at, changes) "
                        "VALUES (?1, ?2, ?3)",
                        id, toUnixSeconds(s.takenAt), changes);
    if (!ok) return ok;
  }
  const auto& i = s.identity;
  std::optional<std::string> snapshotJson;
  if (hasData(s)) snapshotJson = codec::encodeSnapshot(s);
  std::optional<std::int64_t> cloud, computer;
  if (s.backup) {
    cloud = unixOrNull(s.backup->lastCloudBackup);
    computer = unixOrNull(s.backup->lastComputerBackup);
  }
  return execBound(db_, kUpdateDevice, id, i.name, i.productType, i.productVersion, i.buildVersion,
                   i.serial, toUnixSeconds(s.takenAt), s.connected ? 1 : 0, answered ? 1 : 0, cloud,
                   computer, snapshotJson, hash, values);
}

Expected<std::vector<BackupEvent>> SqliteStore::recordSnapshotTx(const DeviceSnapshot& s) {
  auto id = ensureDevice(s.identity.udid, s.takenAt);
  if (!id) return tl::unexpected(id.error());
  auto events = insertBackupEvents(*id, s);
  if (!events) return events;
  if (auto ok = updateObservation(*id, s); !ok) return tl::unexpected(ok.error());
  return events;
}

Expected<std::vector<BackupEvent>> SqliteStore::recordSnapshot(const DeviceSnapshot& s) {
  return write([&] { return recordSnapshotTx(s); });
}

Expected<std::vector<BackupEvent>> SqliteStore::recordCycle(const DeviceSnapshot& snapshot,
                                                            const std::vector<Condition>& active,
                                                            const DeviceStatus& status) {
  return write([&]() -> Expected<std::vector<BackupEvent>> {
    auto events = recordSnapshotTx(snapshot);
    if (!events) return events;
    if (auto ok = recordStatusTx(snapshot.identity.udid, active, status, snapshot.takenAt); !ok) {
      return tl::unexpected(ok.error());
    }
    return events;
  });
}

Expected<void> SqliteStore::inOneCommit(const std::function<void()>& writes) {
  if (group_) return makeError("db_error", db_.path() + ": a group commit inside another one");
  if (lowSpace_) reclaimWal();
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(tx.error());
  group_.emplace();
  struct EndGroup {
    std::optional<Group>& group;
    ~EndGroup() { group.reset(); }
  };
  std::optional<Error> broken;
  {
    EndGroup end{group_};
    writes();
    broken = std::move(group_->broken);
  }
  if (!broken) {
    auto ok = tx->commit();
    if (ok) {
      if (lowSpace_) reclaimWal();
      return {};
    }
    broken = ok.error();
  }
  ids_.clear();  // the id cache may name devices the rolled-back transaction inserted
  if (broken->code == "db_full") lowSpace_ = true;
  return tl::unexpected(*broken);
}

}  // namespace ibackupmon

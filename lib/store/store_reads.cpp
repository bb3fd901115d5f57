// SPDX-License-Identifier: Apache-2.0
// Reads: live status (ctl, metrics), histories (monitor start-up), timelines (ctl history).
#include <algorithm>
#include <map>

#include "store/query.h"
#include "store/sqlite_store.h"
#include "store/store_codec.h"

namespace ibackupmon {
namespace {

// Worst first: critical, then unknown (cannot be read: may be worse than it looks), then
// warning or stale, then info, then ok. The same order as the `status` exit code precedence.
int rank(const DeviceStatus& s) {
  auto worst = worstSeverity(s.conditions);
  if (worst == Severity::Critical) return 0;
  if (s.backupState == BackupState::Unknown) return 1;
  if (worst == Severity::Warning || s.backupState == BackupState::Stale) return 2;
  if (worst == Severity::Info) return 3;
  return 4;
}

std::optional<TimePoint> newest(std::optional<TimePoint> a, std::optional<TimePoint> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

constexpr const char* kStatusQuery =
    "SELECT d.udid, d.name, d.product_type, d.ios_version, d.serial, d.connected, d.first_seen, "
    "d.last_seen, d.last_cloud_backup, d.last_computer_backup, s.status_json "
    "FROM devices d LEFT JOIN device_status s ON s.device_id = d.id "
    "WHERE d.forgotten_at IS NULL";

// The devices row is the truth for connection and backups (the status row may predate a
// detach or a daemon crash); without a status row the device is "unknown", never "ok".
DeviceStatus statusFromRow(const Row& r) {
  DeviceStatus s;
  if (auto json = r.optionalText("status_json")) {
    if (auto decoded = codec::decodeStatus(*json)) s = std::move(*decoded);
  }
  s.udid = r.text("udid");
  if (s.name.empty()) s.name = r.optionalText("name").value_or("");
  if (!s.productType) s.productType = r.optionalText("product_type");
  if (!s.iosVersion) s.iosVersion = r.optionalText("ios_version");
  if (!s.serial) s.serial = r.optionalText("serial");
  s.connected = r.boolean("connected");
  if (!s.firstSeen) s.firstSeen = r.time("first_seen");
  s.lastSeen = newest(s.lastSeen, r.time("last_seen"));
  // The device's last report, even when older than an earlier one (restored, date corrected).
  if (auto cloud = r.optionalTime("last_cloud_backup")) s.lastCloudBackup = cloud;
  if (auto computer = r.optionalTime("last_computer_backup")) s.lastComputerBackup = computer;
  return s;
}

DeviceHistory historyFromRow(const Row& r) {
  DeviceHistory h;
  h.udid = r.text("udid");
  h.firstSeen = r.time("first_seen");
  h.lastSeen = r.time("last_seen");
  h.connected = r.boolean("connected");
  h.lastCloudBackup = r.optionalTime("last_cloud_backup");
  h.lastComputerBackup = r.optionalTime("last_computer_backup");
  h.lastGoodProbe = r.optionalTime("last_good_probe");
  h.consecutiveProbeFailures = static_cast<int>(r.int64("consecutive_failures"));
  h.probeFailingSince = r.optionalTime("probe_failing_since");
  if (auto json = r.optionalText("last_snapshot")) {
    if (auto snap = codec::decodeSnapshot(*json)) h.lastSnapshot = std::move(*snap);
  }
  return h;
}

}  // namespace

Expected<std::vector<DeviceStatus>> SqliteStore::loadStatus() const {
  auto out = queryAll(db_, kStatusQuery, statusFromRow);
  if (!out) return out;
  std::stable_sort(out->begin(), out->end(), [](const DeviceStatus& a, const DeviceStatus& b) {
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    if (a.name != b.name) return a.name < b.name;
    return a.udid < b.udid;
  });
  return out;
}

Expected<std::vector<std::string>> SqliteStore::forgottenUdids() const {
  return queryAll(db_, "SELECT udid FROM devices WHERE forgotten_at IS NOT NULL",
                  [](const Row& r) { return r.text("udid"); });
}

Expected<std::vector<DeviceHistory>> SqliteStore::queryHistories(
    const std::optional<std::string>& udid) const {
  const std::string where = udid ? "d.udid = ?1" : "d.forgotten_at IS NULL";
  // Without a UDID the statements have no parameter: binding ?1 would be an error.
  auto each = [&](const std::string& sql, auto&& f) {
    return udid ? forEachRow(db_, sql, binds(*udid), f) : forEachRow(db_, sql, f);
  };
  std::map<std::int64_t, DeviceHistory> byId;
  auto ok = each(
      "SELECT id, udid, first_seen, last_seen, connected, last_cloud_backup, "
      "last_computer_backup, last_good_probe, consecutive_failures, "
      "probe_failing_since, last_snapshot FROM devices d WHERE " +
          where,
      [&](const Row& r) { byId.emplace(r.int64("id"), historyFromRow(r)); });
  if (!ok) return tl::unexpected(ok.error());
  ok = each(
      "SELECT c.device_id, c.condition_id, c.opened FROM condition_intervals c "
      "JOIN devices d ON d.id = c.device_id WHERE c.closed IS NULL AND " +
          where,
      [&](const Row& r) {
        auto it = byId.find(r.int64("device_id"));
        if (it != byId.end()) it->second.openConditions[r.text("condition_id")] = r.time("opened");
      });
  if (!ok) return tl::unexpected(ok.error());
  std::vector<DeviceHistory> out;
  out.reserve(byId.size());
  for (auto& [id, h] : byId) out.push_back(std::move(h));
  return out;
}

Expected<std::optional<DeviceHistory>> SqliteStore::loadHistory(const std::string& udid) const {
  auto all = queryHistories(udid);
  if (!all) return tl::unexpected(all.error());
  if (all->empty()) return std::optional<DeviceHistory>{};
  return std::optional<DeviceHistory>(std::move(all->front()));
}

Expected<std::vector<DeviceHistory>> SqliteStore::loadAllHistories() const {
  return queryHistories(std::nullopt);
}

}  // namespace ibackupmon

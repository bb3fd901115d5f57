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
DeviceStatus statusFromRow(const Statement& st) {
  DeviceStatus s;
  if (auto json = st.optText(10)) {
    if (auto decoded = codec::decodeStatus(*json)) s = std::move(*decoded);
  }
  s.udid = st.text(0);
  if (s.name.empty()) s.name = st.optText(1).value_or("");
  if (!s.productType) s.productType = st.optText(2);
  if (!s.iosVersion) s.iosVersion = st.optText(3);
  if (!s.serial) s.serial = st.optText(4);
  s.connected = st.int64(5) != 0;
  if (!s.firstSeen) s.firstSeen = fromUnixSeconds(st.int64(6));
  s.lastSeen = newest(s.lastSeen, fromUnixSeconds(st.int64(7)));
  // The device's last report, even when older than an earlier one (restored, date corrected).
  if (auto cloud = timeOrNull(st.optInt64(8))) s.lastCloudBackup = cloud;
  if (auto computer = timeOrNull(st.optInt64(9))) s.lastComputerBackup = computer;
  return s;
}

}  // namespace

Expected<std::vector<DeviceStatus>> SqliteStore::loadStatus() const {
  auto st = db_.prepare(kStatusQuery);
  if (!st) return tl::unexpected(st.error());
  std::vector<DeviceStatus> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(statusFromRow(**st));
  }
  std::stable_sort(out.begin(), out.end(), [](const DeviceStatus& a, const DeviceStatus& b) {
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    if (a.name != b.name) return a.name < b.name;
    return a.udid < b.udid;
  });
  return out;
}

Expected<std::vector<std::string>> SqliteStore::forgottenUdids() const {
  auto st = db_.prepare("SELECT udid FROM devices WHERE forgotten_at IS NOT NULL");
  if (!st) return tl::unexpected(st.error());
  std::vector<std::string> out;
  for (;;) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back((*st)->text(0));
  }
  return out;
}

Expected<std::vector<DeviceHistory>> SqliteStore::queryHistories(
    const std::optional<std::string>& udid) const {
  const std::string where = udid ? "d.udid = ?1" : "d.forgotten_at IS NULL";
  auto prepare = [&](const std::string& sql) {
    return udid ? bound(db_, sql, *udid) : db_.prepare(sql);
  };
  std::map<std::int64_t, DeviceHistory> byId;
  {
    auto st = prepare(
        "SELECT id, udid, first_seen, last_seen, connected, last_cloud_backup, "
        "last_computer_backup, last_good_probe, consecutive_failures, "
        "probe_failing_since, last_snapshot FROM devices d WHERE " +
        where);
    if (!st) return tl::unexpected(st.error());
    for (;;) {
      auto row = (*st)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      const Statement& r = **st;
      DeviceHistory h;
      h.udid = r.text(1);
      h.firstSeen = fromUnixSeconds(r.int64(2));
      h.lastSeen = fromUnixSeconds(r.int64(3));
      h.connected = r.int64(4) != 0;
      h.lastCloudBackup = timeOrNull(r.optInt64(5));
      h.lastComputerBackup = timeOrNull(r.optInt64(6));
      h.lastGoodProbe = timeOrNull(r.optInt64(7));
      h.consecutiveProbeFailures = static_cast<int>(r.int64(8));
      h.probeFailingSince = timeOrNull(r.optInt64(9));
      if (auto json = r.optText(10)) {
        if (auto snap = codec::decodeSnapshot(*json)) h.lastSnapshot = std::move(*snap);
      }
      byId.emplace(r.int64(0), std::move(h));
    }
  }
  auto st = prepare(
      "SELECT c.device_id, c.condition_id, c.opened FROM condition_intervals c "
      "JOIN devices d ON d.id = c.device_id WHERE c.closed IS NULL AND " +
      where);
  if (!st) return tl::unexpected(st.error());
  for (;;) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    auto it = byId.find((*st)->int64(0));
    if (it != byId.end())
      it->second.openConditions[(*st)->text(1)] = fromUnixSeconds((*st)->int64(2));
  }
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

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The durable history of every device: the only user of sqlite3 (behind this interface).
/// One writer (the daemon's monitor); readers (ibackupmonctl) open the same file read-only.
/// CONTRACT between the store and the monitor: extend, don't break.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/condition.h"
#include "core/error.h"
#include "core/history.h"
#include "core/snapshot.h"

namespace ibackupmon {

struct BackupEvent {
  std::string udid;
  std::string kind;  ///< "icloud" | "computer"
  TimePoint at{};    ///< the backup's own date (LastCloudBackupDate / LastiTunesBackupDate)
  TimePoint observedAt{};
};

struct ConditionInterval {
  std::string udid;
  std::string conditionId;
  Severity severity = Severity::Warning;
  TimePoint opened{};
  std::optional<TimePoint> closed;
  std::string evidenceJson;  ///< evidence object as JSON text
};

struct AttachSession {
  std::string udid;
  TimePoint attached{};
  std::optional<TimePoint> detached;
  std::optional<std::string> port;       ///< USB port path while attached; absent when not known
  std::optional<std::string> slotLabel;  ///< the [[slot]] label of that port at the time
};

/// A change of diagnosis-relevant values (banded: battery in 10 % steps, storage in GiB).
struct ObservationChange {
  TimePoint at{};
  std::string changesJson;  ///< object of changed key -> new value (null = no longer known)
};

struct DeviceTimeline {
  std::string udid;
  std::vector<BackupEvent> backups;           ///< oldest first
  std::vector<ConditionInterval> conditions;  ///< by opening time
  std::vector<AttachSession> sessions;        ///< by attach time
  std::vector<ObservationChange> observations;
};

struct PruneResult {
  int rowsDeleted = 0;
  bool more = false;  ///< call again: there is more to prune
};

enum class OpenMode { ReadWrite, ReadOnly };

/// The busy timeout of the daemon's own writer connections (store, alert outbox, actions). A write
/// that meets another process's lock fails after this long and is retried by its caller later
/// (docs/reliability.md), so a lock held for minutes never stalls the io thread they share. The
/// daemon's connections never wait for each other: they are used from that one thread only.
inline constexpr std::chrono::milliseconds kDaemonBusyTimeout{200};

class Store {
 public:
  virtual ~Store() = default;

  /// Opens (creating if absent in ReadWrite mode) and migrates. Errors name the path and cause:
  /// code "db_newer" (schema newer than this binary), "db_corrupt", "db_readonly",
  /// "db_unwritable", "db_missing" (ReadOnly and no file).
  /// busyTimeout: how long a write waits for another process's lock after opening (opening and
  /// migrating wait 5 s); ibackupmond passes kDaemonBusyTimeout.
  static Expected<std::unique_ptr<Store>> open(
      const std::string& path, OpenMode mode,
      std::chrono::milliseconds busyTimeout = std::chrono::seconds(5));

  // --- writes (monitor) -------------------------------------------------------------------
  /// usbmuxd reported the device: upsert it, open an attach session if none is open.
  virtual Expected<void> deviceAttached(const std::string& udid, TimePoint at) = 0;
  /// Close the open attach session, if any.
  virtual Expected<void> deviceDetached(const std::string& udid, TimePoint at) = 0;
  /// Where the device sits during its open attach session (USB port path and [[slot]] label).
  virtual Expected<void> sessionLocated(const std::string& udid, const std::string& port,
                                        const std::optional<std::string>& slotLabel) = 0;
  /// At startup and when usbmuxd goes away: close every open attach session.
  virtual Expected<void> closeAllSessions(TimePoint at) = 0;
  /// Store what a probe cycle saw: identity fields, an observation row only when values changed
  /// (else a cheap heartbeat), and a backup event for each new LastCloud/LastiTunesBackupDate.
  /// Returns the backup events that were new.
  virtual Expected<std::vector<BackupEvent>> recordSnapshot(const DeviceSnapshot& snapshot) = 0;
  /// Open intervals for conditions that are new, close those no longer present (idempotent).
  virtual Expected<void> recordConditions(const std::string& udid,
                                          const std::vector<Condition>& active, TimePoint at) = 0;
  /// Replace the device's current status row (what status/metrics/export show).
  virtual Expected<void> saveStatus(const DeviceStatus& status) = 0;
  /// recordConditions + saveStatus in one transaction (one commit): a status diagnosed again
  /// without a new cycle (attach, detach, a changed slot or setting).
  virtual Expected<void> recordStatus(const std::string& udid, const std::vector<Condition>& active,
                                      const DeviceStatus& status, TimePoint at) = 0;
  /// recordSnapshot + recordConditions + saveStatus of one probe cycle, in one transaction (one
  /// commit per probe). Returns the backup events that were new.
  virtual Expected<std::vector<BackupEvent>> recordCycle(const DeviceSnapshot& snapshot,
                                                         const std::vector<Condition>& active,
                                                         const DeviceStatus& status) = 0;
  /// A group commit: the writes that `writes` makes through this store share one transaction and
  /// one commit (synchronous=FULL, so one sync for all of them). Each write still succeeds or
  /// fails on its own (a failed one is undone alone, the others stay). An error here means none
  /// of them is durable, whatever each returned, and some may not have run at all. Must not be
  /// nested. A store without transactions runs `writes` and returns success.
  virtual Expected<void> inOneCommit(const std::function<void()>& writes) {
    writes();
    return {};
  }
  /// Hide a device from the live status (history kept until retention).
  virtual Expected<bool> forget(const std::string& udid, TimePoint at) = 0;
  /// Forget devices not seen since cutoff; returns their UDIDs.
  virtual Expected<std::vector<std::string>> forgetUnseenSince(TimePoint cutoff) = 0;
  /// Delete history older than cutoff, at most max_rows rows per call.
  virtual Expected<PruneResult> pruneBefore(TimePoint cutoff, int max_rows) = 0;

  // --- reads (monitor at startup, ibackupmonctl) --------------------------------------------
  /// Current status of every device not forgotten, worst first.
  virtual Expected<std::vector<DeviceStatus>> loadStatus() const = 0;
  /// What diagnosis needs for one device; nullopt when unknown.
  virtual Expected<std::optional<DeviceHistory>> loadHistory(const std::string& udid) const = 0;
  /// All histories of devices not forgotten (monitor start-up); loadHistory still finds a
  /// forgotten device that comes back.
  virtual Expected<std::vector<DeviceHistory>> loadAllHistories() const = 0;
  /// Everything over time for one device; error "not_found" when the UDID was never seen.
  virtual Expected<DeviceTimeline> timeline(const std::string& udid) const = 0;
  /// UDIDs of every forgotten device, whoever forgot it (ibackupmonctl forget writes the file
  /// while the daemon runs; the monitor polls this to drop them from the live fleet and metrics).
  virtual Expected<std::vector<std::string>> forgottenUdids() const = 0;
};

}  // namespace ibackupmon

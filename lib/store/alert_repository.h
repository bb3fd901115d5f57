// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Persistence of the alert policy's state, the acknowledgements and the durable outbox
/// (migrations/0002_alerts.sql). Used from the daemon's strand only; it has its own connection.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/alert_types.h"
#include "store/database.h"

namespace ibackupmon {

class AlertRepository {
 public:
  /// Opens (creating and migrating as needed) the database at path. busyTimeout: how long a
  /// write waits for another process's lock after opening (store.h, kDaemonBusyTimeout).
  static Expected<AlertRepository> open(
      const std::string& path, std::chrono::milliseconds busyTimeout = std::chrono::seconds(5));
  /// Opens an existing, current database for reading only (ibackupmonctl status shows acks).
  static Expected<AlertRepository> openReadOnly(const std::string& path);
  explicit AlertRepository(Database db) : db_(std::move(db)) {}

  // --- policy state ---------------------------------------------------------------------------
  Expected<std::vector<AlertRecord>> loadAlerts();
  /// One transaction: upsert records, delete dropped ones, and enqueue message (if any), so the
  /// state never claims a notification that is not in the outbox. Returns the outbox id (or 0).
  Expected<std::int64_t> commitDecision(const std::vector<AlertRecord>& records,
                                        const std::vector<AlertKey>& dropped,
                                        const std::optional<OutboxMessage>& message);

  // --- outbox ---------------------------------------------------------------------------------
  Expected<std::int64_t> enqueue(const OutboxMessage& message);
  /// Pending messages whose next attempt is due, oldest first.
  Expected<std::vector<OutboxMessage>> due(TimePoint now, int limit);
  Expected<std::optional<OutboxMessage>> byId(std::int64_t id);
  /// Earliest next attempt among pending messages.
  Expected<std::optional<TimePoint>> nextAttemptAt();
  /// When the newest message of this kind was queued, sent or not (the daily digest's last run).
  Expected<std::optional<TimePoint>> lastCreated(const std::string& kind);
  Expected<void> markSent(std::int64_t id, TimePoint at);
  Expected<void> markFailed(std::int64_t id, const std::string& error, TimePoint nextAttempt);
  /// Messages not yet delivered.
  Expected<std::int64_t> outboxDepth();
  /// Deletes delivered messages sent before cutoff.
  Expected<std::int64_t> pruneSent(TimePoint cutoff);

  // --- acknowledgements -----------------------------------------------------------------------
  Expected<std::vector<AlertAck>> loadAcks();
  /// Insert or replace the ack of (udid, condition).
  Expected<void> putAck(const AlertAck& ack);
  /// Removes the ack of (udid, condition); an empty condition removes every ack of the device.
  Expected<int> removeAcks(const std::string& udid, const std::string& condition);
  /// Removes acks whose `until` has passed.
  Expected<int> pruneExpiredAcks(TimePoint now);

 private:
  Expected<void> upsert(const AlertRecord& r);
  Expected<std::int64_t> insertMessage(const OutboxMessage& m);

  Database db_;
};

}  // namespace ibackupmon

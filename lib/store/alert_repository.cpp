// SPDX-License-Identifier: Apache-2.0
#include "store/alert_repository.h"

#include "store/migrator.h"
#include "store/query.h"

namespace ibackupmon {
namespace {

constexpr const char* kMessageColumns =
    "id, message_id, channel, kind, subject, payload, created_at, next_attempt_at, attempts, "
    "last_error, sent_at";

OutboxMessage messageFromRow(const Row& r) {
  OutboxMessage m;
  m.id = r.int64("id");
  m.messageId = r.text("message_id");
  m.channel = r.text("channel");
  m.kind = r.text("kind");
  m.subject = r.text("subject");
  m.payload = r.text("payload");
  m.createdAt = r.time("created_at");
  m.nextAttemptAt = r.time("next_attempt_at");
  m.attempts = static_cast<int>(r.int64("attempts"));
  m.lastError = r.text("last_error");
  m.sentAt = r.optionalTime("sent_at");
  return m;
}

AlertRecord alertFromRow(const Row& r) {
  AlertRecord a;
  a.key = AlertKey{r.text("udid"), r.text("condition")};
  a.severity = severityFromString(r.text("severity")).value_or(Severity::Warning);
  a.openedAt = r.time("opened_at");
  a.resolvedAt = r.optionalTime("resolved_at");
  a.lastNotifiedAt = r.optionalTime("last_notified_at");
  a.notifications = static_cast<int>(r.int64("notifications"));
  a.resolutionNotified = r.boolean("resolution_notified");
  a.acknowledged = r.boolean("acknowledged");
  return a;
}

}  // namespace

Expected<AlertRepository> AlertRepository::open(const std::string& path,
                                                std::chrono::milliseconds busyTimeout) {
  return openMigrated(path, DbAccess::ReadWrite).map([busyTimeout](Database db) {
    db.setBusyTimeout(busyTimeout);
    return AlertRepository(std::move(db));
  });
}

Expected<AlertRepository> AlertRepository::openReadOnly(const std::string& path) {
  return openMigrated(path, DbAccess::ReadOnly).map([](Database db) {
    return AlertRepository(std::move(db));
  });
}

Expected<std::vector<AlertRecord>> AlertRepository::loadAlerts() {
  return queryAll(db_,
                  "SELECT udid, condition, severity, opened_at, resolved_at, last_notified_at, "
                  "notifications, resolution_notified, acknowledged FROM alert_state "
                  "ORDER BY udid, condition",
                  alertFromRow);
}

Expected<void> AlertRepository::upsert(const AlertRecord& r) {
  return execBound(
      db_,
      "INSERT INTO alert_state (udid, condition, severity, opened_at, resolved_at, "
      "last_notified_at, notifications, resolution_notified, acknowledged) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (udid, condition) DO UPDATE SET "
      "severity = ?3, opened_at = ?4, resolved_at = ?5, last_notified_at = ?6, "
      "notifications = ?7, resolution_notified = ?8, acknowledged = ?9",
      r.key.udid, r.key.condition, toString(r.severity), toUnixSeconds(r.openedAt),
      unixOrNull(r.resolvedAt), unixOrNull(r.lastNotifiedAt), r.notifications,
      r.resolutionNotified ? 1 : 0, r.acknowledged ? 1 : 0);
}

Expected<std::int64_t> AlertRepository::insertMessage(const OutboxMessage& m) {
  auto ok = execBound(db_,
                      "INSERT INTO alert_outbox (message_id, channel, kind, subject, payload, "
                      "created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      m.messageId, m.channel, m.kind, m.subject, m.payload,
                      toUnixSeconds(m.createdAt), toUnixSeconds(m.nextAttemptAt));
  if (!ok) return tl::unexpected(ok.error());
  return db_.lastInsertRowid();
}

Expected<std::int64_t> AlertRepository::commitDecision(
    const std::vector<AlertRecord>& records, const std::vector<AlertKey>& dropped,
    const std::optional<OutboxMessage>& message) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(tx.error());
  for (const auto& r : records) {
    if (auto ok = upsert(r); !ok) return tl::unexpected(ok.error());
  }
  for (const auto& k : dropped) {
    auto ok = execBound(db_, "DELETE FROM alert_state WHERE udid = ?1 AND condition = ?2", k.udid,
                        k.condition);
    if (!ok) return tl::unexpected(ok.error());
  }
  std::int64_t id = 0;
  if (message) {
    auto inserted = insertMessage(*message);
    if (!inserted) return tl::unexpected(inserted.error());
    id = *inserted;
  }
  if (auto ok = tx->commit(); !ok) return tl::unexpected(ok.error());
  return id;
}

Expected<std::int64_t> AlertRepository::enqueue(const OutboxMessage& message) {
  return commitDecision({}, {}, message);
}

Expected<std::vector<OutboxMessage>> AlertRepository::due(TimePoint now, int limit) {
  return queryAll(db_,
                  std::string("SELECT ") + kMessageColumns +
                      " FROM alert_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?1 "
                      "ORDER BY next_attempt_at, id LIMIT ?2",
                  binds(toUnixSeconds(now), limit), messageFromRow);
}

Expected<std::optional<OutboxMessage>> AlertRepository::byId(std::int64_t id) {
  return queryOne(db_,
                  std::string("SELECT ") + kMessageColumns + " FROM alert_outbox WHERE id = ?1",
                  binds(id), messageFromRow);
}

Expected<std::optional<TimePoint>> AlertRepository::nextAttemptAt() {
  auto next = queryOne(
      db_, "SELECT MIN(next_attempt_at) AS next_attempt_at FROM alert_outbox WHERE sent_at IS NULL",
      [](const Row& r) { return r.optionalTime("next_attempt_at"); });
  if (!next) return tl::unexpected(next.error());
  return next->value_or(std::nullopt);
}

Expected<std::optional<TimePoint>> AlertRepository::lastCreated(const std::string& kind) {
  auto last =
      queryOne(db_, "SELECT MAX(created_at) AS created_at FROM alert_outbox WHERE kind = ?1",
               binds(kind), [](const Row& r) { return r.optionalTime("created_at"); });
  if (!last) return tl::unexpected(last.error());
  return last->value_or(std::nullopt);
}

Expected<void> AlertRepository::markSent(std::int64_t id, TimePoint at) {
  return execBound(db_,
                   "UPDATE alert_outbox SET sent_at = ?2, attempts = attempts + 1, "
                   "last_error = '' WHERE id = ?1",
                   id, toUnixSeconds(at));
}

Expected<void> AlertRepository::markFailed(std::int64_t id, const std::string& error,
                                           TimePoint nextAttempt) {
  return execBound(db_,
                   "UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?2, "
                   "next_attempt_at = ?3 WHERE id = ?1",
                   id, error, toUnixSeconds(nextAttempt));
}

Expected<std::int64_t> AlertRepository::outboxDepth() {
  return db_.queryInt("SELECT COUNT(*) FROM alert_outbox WHERE sent_at IS NULL");
}

Expected<std::int64_t> AlertRepository::pruneSent(TimePoint cutoff) {
  auto ok = execBound(db_, "DELETE FROM alert_outbox WHERE sent_at IS NOT NULL AND sent_at < ?1",
                      toUnixSeconds(cutoff));
  if (!ok) return tl::unexpected(ok.error());
  return db_.changes();
}

Expected<std::vector<AlertAck>> AlertRepository::loadAcks() {
  return queryAll(
      db_,
      "SELECT udid, condition, until, created_at, comment FROM alert_acks ORDER BY udid, "
      "condition",
      [](const Row& r) {
        return AlertAck{r.text("udid"), r.text("condition"), r.optionalTime("until"),
                        r.time("created_at"), r.text("comment")};
      });
}

Expected<void> AlertRepository::putAck(const AlertAck& ack) {
  return execBound(db_,
                   "INSERT OR REPLACE INTO alert_acks (udid, condition, until, created_at, "
                   "comment) VALUES (?1, ?2, ?3, ?4, ?5)",
                   ack.udid, ack.condition, unixOrNull(ack.until), toUnixSeconds(ack.createdAt),
                   ack.comment);
}

Expected<int> AlertRepository::removeAcks(const std::string& udid, const std::string& condition) {
  auto ok = execBound(db_, "DELETE FROM alert_acks WHERE udid = ?1 AND (?2 = '' OR condition = ?2)",
                      udid, condition);
  if (!ok) return tl::unexpected(ok.error());
  return static_cast<int>(db_.changes());
}

Expected<int> AlertRepository::pruneExpiredAcks(TimePoint now) {
  auto ok = execBound(db_, "DELETE FROM alert_acks WHERE until IS NOT NULL AND until <= ?1",
                      toUnixSeconds(now));
  if (!ok) return tl::unexpected(ok.error());
  return static_cast<int>(db_.changes());
}

}  // namespace ibackupmon

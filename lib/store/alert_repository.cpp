// SPDX-License-Identifier: Apache-2.0
#include "store/alert_repository.h"

#include "store/migrator.h"

namespace ibackupmon {
namespace {

// sqlite binds int64_t (long); toUnixSeconds returns long long.
std::int64_t unixSeconds(TimePoint t) {
  return static_cast<std::int64_t>(toUnixSeconds(t));
}

std::optional<std::int64_t> secondsOf(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return unixSeconds(*t);
}

std::optional<TimePoint> timeOf(const std::optional<std::int64_t>& s) {
  if (!s) return std::nullopt;
  return fromUnixSeconds(*s);
}

constexpr const char* kMessageColumns =
    "id, message_id, channel, kind, subject, payload, created_at, next_attempt_at, attempts, "
    "last_error, sent_at";

OutboxMessage messageFromRow(const Statement& st) {
  OutboxMessage m;
  m.id = st.int64(0);
  m.messageId = st.text(1);
  m.channel = st.text(2);
  m.kind = st.text(3);
  m.subject = st.text(4);
  m.payload = st.text(5);
  m.createdAt = fromUnixSeconds(st.int64(6));
  m.nextAttemptAt = fromUnixSeconds(st.int64(7));
  m.attempts = static_cast<int>(st.int64(8));
  m.lastError = st.text(9);
  m.sentAt = timeOf(st.optInt64(10));
  return m;
}

Expected<std::vector<OutboxMessage>> readMessages(StatementRef st) {
  std::vector<OutboxMessage> out;
  while (true) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(messageFromRow(*st));
  }
  return out;
}

}  // namespace

Expected<AlertRepository> AlertRepository::open(const std::string& path) {
  auto db = Database::open(path, DbAccess::ReadWrite);
  if (!db) return tl::unexpected(db.error());
  auto version = migrate(*db, embeddedMigrations());
  if (!version) return tl::unexpected(version.error());
  return AlertRepository(std::move(*db));
}

Expected<AlertRepository> AlertRepository::openReadOnly(const std::string& path) {
  auto db = Database::open(path, DbAccess::ReadOnly);
  if (!db) return tl::unexpected(db.error());
  auto version = migrate(*db, embeddedMigrations());  // read-only: checks, never writes
  if (!version) return tl::unexpected(version.error());
  return AlertRepository(std::move(*db));
}

Expected<std::vector<AlertRecord>> AlertRepository::loadAlerts() {
  auto st = db_.prepare(
      "SELECT udid, condition, severity, opened_at, resolved_at, last_notified_at, notifications, "
      "resolution_notified, acknowledged FROM alert_state ORDER BY udid, condition");
  if (!st) return tl::unexpected(st.error());
  std::vector<AlertRecord> out;
  while (true) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const Statement& s = **st;
    AlertRecord r;
    r.key = AlertKey{s.text(0), s.text(1)};
    r.severity = severityFromString(s.text(2)).value_or(Severity::Warning);
    r.openedAt = fromUnixSeconds(s.int64(3));
    r.resolvedAt = timeOf(s.optInt64(4));
    r.lastNotifiedAt = timeOf(s.optInt64(5));
    r.notifications = static_cast<int>(s.int64(6));
    r.resolutionNotified = s.int64(7) != 0;
    r.acknowledged = s.int64(8) != 0;
    out.push_back(std::move(r));
  }
  return out;
}

Expected<void> AlertRepository::upsert(const AlertRecord& r) {
  auto st = db_.prepare(
      "INSERT INTO alert_state (udid, condition, severity, opened_at, resolved_at, "
      "last_notified_at, notifications, resolution_notified, acknowledged) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (udid, condition) DO UPDATE SET "
      "severity = ?3, opened_at = ?4, resolved_at = ?5, last_notified_at = ?6, "
      "notifications = ?7, resolution_notified = ?8, acknowledged = ?9");
  if (!st) return tl::unexpected(st.error());
  (*st)->bind(1, r.key.udid).bind(2, r.key.condition).bind(3, toString(r.severity));
  (*st)->bind(4, unixSeconds(r.openedAt)).bind(5, secondsOf(r.resolvedAt));
  (*st)->bind(6, secondsOf(r.lastNotifiedAt)).bind(7, r.notifications);
  (*st)->bind(8, r.resolutionNotified ? 1 : 0).bind(9, r.acknowledged ? 1 : 0);
  return (*st)->run();
}

Expected<std::int64_t> AlertRepository::insertMessage(const OutboxMessage& m) {
  auto st = db_.prepare(
      "INSERT INTO alert_outbox (message_id, channel, kind, subject, payload, created_at, "
      "next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return tl::unexpected(st.error());
  (*st)->bind(1, m.messageId).bind(2, m.channel).bind(3, m.kind).bind(4, m.subject);
  (*st)->bind(5, m.payload).bind(6, unixSeconds(m.createdAt));
  (*st)->bind(7, unixSeconds(m.nextAttemptAt));
  if (auto r = (*st)->run(); !r) return tl::unexpected(r.error());
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
    auto st = db_.prepare("DELETE FROM alert_state WHERE udid = ?1 AND condition = ?2");
    if (!st) return tl::unexpected(st.error());
    if (auto ok = (*st)->bind(1, k.udid).bind(2, k.condition).run(); !ok) {
      return tl::unexpected(ok.error());
    }
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
  auto st = db_.prepare(std::string("SELECT ") + kMessageColumns +
                        " FROM alert_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?1 "
                        "ORDER BY next_attempt_at, id LIMIT ?2");
  if (!st) return tl::unexpected(st.error());
  (*st)->bind(1, unixSeconds(now)).bind(2, limit);
  return readMessages(std::move(*st));
}

Expected<std::optional<OutboxMessage>> AlertRepository::byId(std::int64_t id) {
  auto st =
      db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM alert_outbox WHERE id = ?1");
  if (!st) return tl::unexpected(st.error());
  (*st)->bind(1, id);
  auto rows = readMessages(std::move(*st));
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<OutboxMessage>{};
  return std::optional<OutboxMessage>{std::move(rows->front())};
}

Expected<std::optional<TimePoint>> AlertRepository::nextAttemptAt() {
  auto st = db_.prepare("SELECT MIN(next_attempt_at) FROM alert_outbox WHERE sent_at IS NULL");
  if (!st) return tl::unexpected(st.error());
  auto row = (*st)->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<TimePoint>{};
  return timeOf((*st)->optInt64(0));
}

Expected<void> AlertRepository::markSent(std::int64_t id, TimePoint at) {
  auto st = db_.prepare(
      "UPDATE alert_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = '' "
      "WHERE id = ?1");
  if (!st) return tl::unexpected(st.error());
  return (*st)->bind(1, id).bind(2, unixSeconds(at)).run();
}

Expected<void> AlertRepository::markFailed(std::int64_t id, const std::string& error,
                                           TimePoint nextAttempt) {
  auto st = db_.prepare(
      "UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 "
      "WHERE id = ?1");
  if (!st) return tl::unexpected(st.error());
  return (*st)->bind(1, id).bind(2, error).bind(3, unixSeconds(nextAttempt)).run();
}

Expected<std::int64_t> AlertRepository::outboxDepth() {
  return db_.queryInt("SELECT COUNT(*) FROM alert_outbox WHERE sent_at IS NULL");
}

Expected<std::int64_t> AlertRepository::pruneSent(TimePoint cutoff) {
  auto st = db_.prepare("DELETE FROM alert_outbox WHERE sent_at IS NOT NULL AND sent_at < ?1");
  if (!st) return tl::unexpected(st.error());
  if (auto ok = (*st)->bind(1, unixSeconds(cutoff)).run(); !ok) return tl::unexpected(ok.error());
  return db_.changes();
}

Expected<std::vector<AlertAck>> AlertRepository::loadAcks() {
  auto st = db_.prepare(
      "SELECT udid, condition, until, created_at, comment FROM alert_acks ORDER BY udid, "
      "condition");
  if (!st) return tl::unexpected(st.error());
  std::vector<AlertAck> out;
  while (true) {
    auto row = (*st)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const Statement& s = **st;
    out.push_back(AlertAck{s.text(0), s.text(1), timeOf(s.optInt64(2)), fromUnixSeconds(s.int64(3)),
                           s.text(4)});
  }
  return out;
}

Expected<void> AlertRepository::putAck(const AlertAck& ack) {
  auto st = db_.prepare(
      "INSERT OR REPLACE INTO alert_acks (udid, condition, until, created_at, comment) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return tl::unexpected(st.error());
  (*st)->bind(1, ack.udid).bind(2, ack.condition).bind(3, secondsOf(ack.until));
  return (*st)->bind(4, unixSeconds(ack.createdAt)).bind(5, ack.comment).run();
}

Expected<int> AlertRepository::removeAcks(const std::string& udid, const std::string& condition) {
  auto st = db_.prepare("DELETE FROM alert_acks WHERE udid = ?1 AND (?2 = '' OR condition = ?2)");
  if (!st) return tl::unexpected(st.error());
  if (auto ok = (*st)->bind(1, udid).bind(2, condition).run(); !ok) {
    return tl::unexpected(ok.error());
  }
  return static_cast<int>(db_.changes());
}

Expected<int> AlertRepository::pruneExpiredAcks(TimePoint now) {
  auto st = db_.prepare("DELETE FROM alert_acks WHERE until IS NOT NULL AND until <= ?1");
  if (!st) return tl::unexpected(st.error());
  if (auto ok = (*st)->bind(1, unixSeconds(now)).run(); !ok) return tl::unexpected(ok.error());
  return static_cast<int>(db_.changes());
}

}  // namespace ibackupmon

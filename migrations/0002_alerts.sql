-- SPDX-License-Identifier: Apache-2.0
-- 0002: alert state, acknowledgements and the durable outbox (lib/store/alert_repository.cpp).
-- Times are INTEGER Unix seconds (UTC).

-- One row per alert: a (device, condition) pair from opening until its resolution was announced
-- and Alertmanager has seen endsAt. The policy (lib/alert/policy.h) owns the meaning.
CREATE TABLE alert_state (
  udid TEXT NOT NULL,
  condition TEXT NOT NULL,
  severity TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  resolved_at INTEGER,
  last_notified_at INTEGER,
  notifications INTEGER NOT NULL DEFAULT 0,
  resolution_notified INTEGER NOT NULL DEFAULT 0,
  acknowledged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (udid, condition)
) WITHOUT ROWID;

-- `ibackupmonctl ack`: condition '' covers every condition of the device; until NULL = open-ended.
CREATE TABLE alert_acks (
  udid TEXT NOT NULL,
  condition TEXT NOT NULL DEFAULT '',
  until INTEGER,
  created_at INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (udid, condition)
) WITHOUT ROWID;

-- Messages are written here in the same transaction as the alert state that caused them, with
-- their final bytes and Message-ID, before the first delivery attempt. sent_at NULL = pending.
CREATE TABLE alert_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  sent_at INTEGER
);
CREATE INDEX alert_outbox_pending ON alert_outbox(next_attempt_at) WHERE sent_at IS NULL;

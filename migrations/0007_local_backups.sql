-- SPDX-License-Identifier: Apache-2.0
-- 0007: local safety-net backups (docs/local-backup.md). The audit trail learns the action
-- `local_backup` (SQLite cannot widen a CHECK in place: the table is rebuilt, ids kept), and
-- `local_backups` keeps one row per device the daemon backed up: where its folder is, its last
-- finished backup and the last run's result. Keyed by UDID like `actions`, so it survives
-- `forget` until the folder itself is deleted.
CREATE TABLE actions_new (
  id INTEGER PRIMARY KEY,
  udid TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('enable_icloud_backup', 'restart', 'local_backup')),
  trigger TEXT NOT NULL CHECK (trigger IN ('policy', 'manual')),
  comment TEXT NOT NULL DEFAULT '',
  requested_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  result TEXT CHECK (result IS NULL OR
                     result IN ('done', 'failed', 'skipped', 'dry_run', 'interrupted')),
  reason TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT ''
);
INSERT INTO actions_new SELECT id, udid, action, trigger, comment, requested_at, started_at,
  finished_at, result, reason, outcome FROM actions;
DROP TABLE actions;
ALTER TABLE actions_new RENAME TO actions;
CREATE INDEX actions_by_device ON actions (udid, action, requested_at);
CREATE INDEX actions_by_time ON actions (action, requested_at);

-- Times are Unix seconds. last_* describe the last run (result as in actions); finished_at,
-- bytes and encrypted the newest backup that finished (Status.plist SnapshotState finished).
CREATE TABLE local_backups (
  udid TEXT PRIMARY KEY,
  directory TEXT NOT NULL,
  finished_at INTEGER,
  full_at INTEGER,
  bytes INTEGER,
  encrypted INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
  last_started_at INTEGER,
  last_ended_at INTEGER,
  last_result TEXT NOT NULL DEFAULT '',
  last_reason TEXT NOT NULL DEFAULT '',
  failures_in_row INTEGER NOT NULL DEFAULT 0
);

-- SPDX-License-Identifier: Apache-2.0
-- 0005: the audit trail of remediation: every action the daemon took, would have taken (dry run)
-- or was held back from (skipped, recorded when the decision or its reason changes). Keyed by
-- UDID, not by devices.id, so min_interval and the hourly limit survive `forget`.
-- Times are Unix seconds; result NULL = requested or started, not finished yet.
CREATE TABLE actions (
  id INTEGER PRIMARY KEY,
  udid TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('enable_icloud_backup', 'restart')),
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
CREATE INDEX actions_by_device ON actions (udid, action, requested_at);
CREATE INDEX actions_by_time ON actions (action, requested_at);

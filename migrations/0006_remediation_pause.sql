-- SPDX-License-Identifier: Apache-2.0
-- 0006: the kill switch of remediation (ibackupmonctl remediation pause), kept across daemon
-- restarts: at most one row; `until` NULL = until `resume`. No row = not paused.
CREATE TABLE remediation_pause (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  paused_at INTEGER NOT NULL,
  until INTEGER
);

-- SPDX-License-Identifier: Apache-2.0
-- 0001: devices, attach sessions, observations, backup events, condition intervals, status.
-- Times are INTEGER Unix seconds (UTC). Applied in one transaction by lib/store/migrator.cpp.
PRAGMA application_id = 1765960525;  -- 0x69426B4D "iBkM", kApplicationId

-- One row per device ever seen. Hot columns are updated on every probe (heartbeat), so the
-- steady state is one row update per probe and nothing else.
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  udid TEXT NOT NULL UNIQUE,
  name TEXT,
  product_type TEXT,
  ios_version TEXT,
  build_version TEXT,
  serial TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  connected INTEGER NOT NULL DEFAULT 0,
  last_checked INTEGER,            -- heartbeat: last probe, changed or not
  values_hash INTEGER,             -- hash of the newest observation's values
  values_json TEXT,                -- the newest observation's values (full, for diffing)
  last_good_probe INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  probe_failing_since INTEGER,
  last_cloud_backup INTEGER,       -- newest ever seen; survives retention of backup_events
  last_computer_backup INTEGER,
  last_snapshot TEXT,              -- newest snapshot with any data, JSON
  forgotten_at INTEGER             -- hidden from live status; history kept until retention
);

-- When a device was attached to this host. At most one open session per device.
CREATE TABLE attach_sessions (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  attached INTEGER NOT NULL,
  detached INTEGER,
  PRIMARY KEY (device_id, attached)
) WITHOUT ROWID;
CREATE UNIQUE INDEX attach_sessions_open ON attach_sessions(device_id) WHERE detached IS NULL;

-- A row only when diagnosis-relevant values changed; `changes` holds only the keys that changed
-- (the first row of a device holds all). Values are banded (battery in 10 % steps, storage in
-- GiB) so a battery ticking by 1 % does not write a row; exact values live in last_snapshot
-- and in Prometheus.
CREATE TABLE observations (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  observed_at INTEGER NOT NULL,
  changes TEXT NOT NULL,
  PRIMARY KEY (device_id, observed_at)
) WITHOUT ROWID;

-- Each distinct LastCloudBackupDate / LastiTunesBackupDate seen = one successful backup.
CREATE TABLE backup_events (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('icloud', 'computer')),
  at INTEGER NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (device_id, kind, at)
) WITHOUT ROWID;

CREATE TABLE condition_intervals (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  condition_id TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  opened INTEGER NOT NULL,
  closed INTEGER,
  evidence TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX condition_intervals_open
  ON condition_intervals(device_id, condition_id) WHERE closed IS NULL;
CREATE INDEX condition_intervals_device ON condition_intervals(device_id, opened);

-- What `ibackupmonctl status --json`, metrics and export show: the monitor's DeviceStatus.
CREATE TABLE device_status (
  device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  updated_at INTEGER NOT NULL,
  status_json TEXT NOT NULL
);

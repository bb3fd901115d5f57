-- SPDX-License-Identifier: Apache-2.0
-- 0003: attach sessions keyed by the attach time in milliseconds. A device unplugged and plugged
-- back within one second gets a session of its own; keyed by whole seconds the second attach
-- collided with the closed session and the device was left connected with no open session.
-- `attached` and `detached` stay Unix seconds (what readers show); `attached_ms` is the key.
CREATE TABLE attach_sessions_ms (
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  attached_ms INTEGER NOT NULL,
  attached INTEGER NOT NULL,
  detached INTEGER,
  PRIMARY KEY (device_id, attached_ms)
) WITHOUT ROWID;
INSERT INTO attach_sessions_ms (device_id, attached_ms, attached, detached)
  SELECT device_id, attached * 1000, attached, detached FROM attach_sessions;
DROP TABLE attach_sessions;
ALTER TABLE attach_sessions_ms RENAME TO attach_sessions;
CREATE UNIQUE INDEX attach_sessions_open ON attach_sessions(device_id) WHERE detached IS NULL;

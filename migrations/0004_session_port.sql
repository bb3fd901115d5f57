-- SPDX-License-Identifier: Apache-2.0
-- 0004: where a device sat during an attach session: the USB port path read from sysfs and the
-- [[slot]] label of that port at the time (NULL for network devices and sessions before this).
ALTER TABLE attach_sessions ADD COLUMN port TEXT;
ALTER TABLE attach_sessions ADD COLUMN slot_label TEXT;

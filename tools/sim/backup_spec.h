// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What a simulated device does when a computer backs it up (mobilebackup2 `Backup`): the size of
/// its synthetic file set, how fast it sends it, and how the backup fails.

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

struct BackupSpec {
  int files = 4;                        // synthetic files besides Status/Manifest/Info
  int64_t fileBytes = 2 * 1024 * 1024;  // size of each file
  int fileDelayMs = 0;                  // pause before each file (a slow transfer)
  int errorCode = 0;                    // the backup ends with this ErrorCode (0: succeeds)
  bool detach = false;                  // the device is unplugged instead
  int afterFiles = 0;                   // the fault strikes after this many files ...
  int afterSeconds = 0;                 // ... or this many seconds into the backup
  int passcodeWaitSeconds = 0;          // with 208: the device waits for its passcode first
  bool lockBusy = false;                // another computer holds the sync lock file
  bool hasFault() const { return errorCode != 0 || detach; }
};

/// Sets one `[device.backup]` key from its text or integer value; an error message, or "".
std::string applyBackupKey(BackupSpec& spec, const std::string& key, int64_t value);
/// The keys that differ from the defaults, as `key = value` TOML lines ("" when none do).
std::string backupToToml(const BackupSpec& spec);
/// The backup faults that are set, for `ctl list` ("backup.error=208", "backup.detach").
std::vector<std::string> describeBackupFaults(const BackupSpec& spec);
/// The keys applyBackupKey knows, for messages.
const std::vector<std::string>& backupKeys();

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Backup facts: com.apple.mobile.backup (iCloud switch, last iCloud and computer backups).

#include "probes/probe.h"

namespace ibackupmon {

inline constexpr const char* kBackupDomain = "com.apple.mobile.backup";

/// Dates may be integer or real seconds since 2001 or plist dates; RequiresEncryption int or bool.
/// A value of the wrong type or out of range is an invalid value; the other keys still count.
Parsed<BackupFacts> parseBackupFacts(const PlistDict& dict);

class BackupProbe final : public Probe {
 public:
  const char* name() const override { return "backup"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

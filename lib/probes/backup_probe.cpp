// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Parsed<BackupFacts> parseBackupFacts(const PlistDict& dict) {
  FieldReader r(dict, kBackupDomain);
  BackupFacts b;
  b.cloudBackupEnabled = r.flag("CloudBackupEnabled");
  b.lastCloudBackup = r.appleDate("LastCloudBackupDate");
  b.lastCloudBackupTz = r.string("LastCloudBackupTZ");
  b.lastComputerBackup = r.appleDate("LastiTunesBackupDate");
  b.lastComputerBackupTz = r.string("LastiTunesBackupTZ");
  b.willEncrypt = r.flag("WillEncrypt");
  b.requiresEncryption = r.flag("RequiresEncryption");
  b.version = r.string("Version");
  return {std::move(b), r.invalid()};
}

ProbeResult readBackup(DeviceSession& session, DeviceSnapshot& snapshot) {
  return readDomain(session, kBackupDomain, parseBackupFacts, snapshot.backup);
}

}  // namespace ibackupmon

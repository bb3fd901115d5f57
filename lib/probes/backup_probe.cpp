#include "probes/backup_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Expected<BackupFacts> parseBackupFacts(const PlistDict& dict) {
  const FieldReader r(dict, kBackupDomain);
  ParseState p;
  BackupFacts b;
  p.take(b.cloudBackupEnabled, r.flag("CloudBackupEnabled"));
  p.take(b.lastCloudBackup, r.appleDate("LastCloudBackupDate"));
  p.take(b.lastCloudBackupTz, r.string("LastCloudBackupTZ"));
  p.take(b.lastComputerBackup, r.appleDate("LastiTunesBackupDate"));
  p.take(b.lastComputerBackupTz, r.string("LastiTunesBackupTZ"));
  p.take(b.willEncrypt, r.flag("WillEncrypt"));
  p.take(b.requiresEncryption, r.flag("RequiresEncryption"));
  p.take(b.version, r.string("Version"));
  return p.finish(std::move(b));
}

ProbeResult BackupProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kBackupDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto facts = parseBackupFacts(*dict);
  if (!facts) return ProbeResult::failed(facts.error());
  snapshot.backup = std::move(*facts);
  return ProbeResult::ok();
}

}  // namespace ibackupmon

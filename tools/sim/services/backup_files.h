// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What a simulated device puts into a computer backup: a synthetic file set (named, sized and
/// dated so that a second backup is incremental), Manifest.db (a real SQLite database listing
/// the files), Manifest.plist, Status.plist.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../backup_spec.h"
#include "../plist_util.h"

namespace sim {

struct SimDevice;

struct BackupFile {
  std::string domain;        // e.g. HomeDomain
  std::string relativePath;  // e.g. Library/SMS/sms.db
  std::string fileId;        // SHA-1 of "domain-relativePath", hex: the name in the backup
  int64_t size = 0;
  int64_t modified = 0;  // Unix seconds
  uint64_t seed = 0;     // contents are a function of the seed
};

/// The device's files at backup number `generation`: one that changes every backup (a message
/// database), one whose name changes every backup (a rotating log; the previous one is removed),
/// and stable photos. `now` and `since` (the device's start) are Unix seconds.
std::vector<BackupFile> backupFileSet(const std::string& udid, const BackupSpec& spec,
                                      uint64_t generation, int64_t now, int64_t since);
/// The bytes of `f` (deterministic pseudo-random data).
std::string backupFileContent(const BackupFile& f);
std::string sha1Hex(const std::string& text);

/// fileID -> LastModified of each file a Manifest.db lists; nullopt when `bytes` is not one.
std::optional<std::map<std::string, int64_t>> readManifestDb(const std::string& bytes);
/// A Manifest.db (SQLite, the iOS 10+ schema: Files and Properties) listing `files`; "" on error.
std::string writeManifestDb(const std::vector<BackupFile>& files);

/// Status.plist (binary): SnapshotState "new" or "finished".
std::string statusPlist(const std::string& uuid, bool full, const std::string& snapshotState,
                        int64_t now);
/// Manifest.plist (binary): the device's lockdown identity, unencrypted.
std::string manifestPlist(const SimDevice& device, int64_t now);

}  // namespace sim

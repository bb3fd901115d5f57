// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The folder idevicebackup2 backs devices up into, and the safety net around a run.
///
/// `<root>/<UDID>` is what `idevicebackup2 -u UDID backup ROOT` writes, in place. Before a run,
/// preserve() keeps the last finished backup as `<root>/.previous/<UDID>`; after a failed,
/// interrupted or timed-out run restorePrevious() puts it back, after a finished run
/// dropPrevious() lets it go:
///
///   ensureRoot(root); preserve(root, udid);
///   ... run idevicebackup2 (BackupChild) ...
///   result.succeeded() && inspect(root, udid)->finished ? dropPrevious(root, udid)
///                                                      : restorePrevious(root, udid);
///
/// The preserved copy costs little space: idevicebackup2 1.3.0 never rewrites in place a file
/// the device sends (it removes the file, then creates it: DLMessageUploadFiles) or Info.plist
/// (removed, then written), moves items with rename() after removing the target
/// (DLMessageMoveItems) and removes with unlink() (DLMessageRemoveItems), so a hard link keeps the
/// old content. Only DLMessageCopyItem opens an existing destination with fopen("wb") and
/// truncates its inode; the device names that destination, so the files at the top of the folder
/// (Status.plist, Manifest.plist, Manifest.db, Info.plist: the metadata, a small part of a
/// backup) are really copied and the content files in the hashed subfolders are hard-linked.
///
/// Every folder made here is mode 0700. UDIDs must match [0-9A-Fa-f-]{24,40} (no path tricks).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon::backup {

/// The hidden sibling of the device folders that holds preserved copies.
inline constexpr std::string_view kPreviousFolder = ".previous";

struct FolderInfo {
  bool exists = false;
  bool finished = false;          ///< Status.plist SnapshotState == "finished"
  std::optional<TimePoint> date;  ///< Status.plist Date, when present
  std::uint64_t bytes = 0;        ///< sum of the folder's file sizes
  bool encrypted = false;         ///< Manifest.plist IsEncrypted
  bool previousKept = false;      ///< a preserved copy is waiting in <root>/.previous/<UDID>
};

/// True for 24 to 40 characters of [0-9A-Fa-f-].
bool isValidUdid(std::string_view udid);

/// What `<root>/<UDID>` holds. A missing or unreadable Status.plist is "not finished", not an
/// error; errors are for an invalid UDID, a device folder that is not a directory, or I/O.
Expected<FolderInfo> inspect(const std::filesystem::path& root, const std::string& udid);

/// Creates root (mode 0700) when missing, its parent must exist; an error when it is a symlink
/// or not a directory; tightens its mode to 0700.
Expected<void> ensureRoot(const std::filesystem::path& root);

/// Keeps the last finished backup before a run: when `<root>/<UDID>` is finished, its copy
/// replaces `<root>/.previous/<UDID>`. When it is not finished (absent, or a run that was never
/// restored), an existing preserved copy is kept as it is.
Expected<void> preserve(const std::filesystem::path& root, const std::string& udid);

/// After a failed, interrupted or timed-out run: the preserved backup replaces `<root>/<UDID>`.
/// Without a preserved copy (the first run) the folder is left as the run left it.
Expected<void> restorePrevious(const std::filesystem::path& root, const std::string& udid);

/// After a finished run: the preserved copy is removed.
Expected<void> dropPrevious(const std::filesystem::path& root, const std::string& udid);

/// A forgotten device: its folder and any preserved copy are removed.
Expected<void> removeDevice(const std::filesystem::path& root, const std::string& udid);

/// Space available to this user on root's file system: statvfs f_bavail * f_frsize.
Expected<std::uint64_t> freeBytes(const std::filesystem::path& root);

/// Bytes of every file under root (device folders and preserved copies), each hard-linked inode
/// counted once.
Expected<std::uint64_t> totalBytes(const std::filesystem::path& root);

}  // namespace ibackupmon::backup

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Private to lib/backup: the paths of a backup root and a walk over a folder tree that never
/// follows a symlink and takes a file removed under it (a backup running) in its stride.

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <string>

#include "core/error.h"

namespace ibackupmon::backup::detail {

/// An "invalid UDID" error unless isValidUdid(udid).
Expected<void> checkUdid(const std::string& udid);

/// "backup_io" naming what failed on which path.
tl::unexpected<Error> ioError(const std::string& what, const std::filesystem::path& path,
                              int error);

/// <root>/.previous, <root>/.previous/<UDID> and its staging names.
std::filesystem::path previousRoot(const std::filesystem::path& root);
std::filesystem::path previousFolder(const std::filesystem::path& root, const std::string& udid);

/// lstat; false with errno set on failure.
bool statNoFollow(const std::filesystem::path& path, struct stat& st);

/// Calls visit(path, lstat of path) for everything below dir, each folder before what it holds.
/// Entries that vanish during the walk are skipped; the first other error, or visit's, ends it.
using WalkVisitor = std::function<Expected<void>(const std::filesystem::path&, const struct stat&)>;
Expected<void> walkTree(const std::filesystem::path& dir, const WalkVisitor& visit);

/// Creates dir (mode 0700) unless it is already a directory (not a symlink); mode set to 0700.
Expected<void> makePrivateDir(const std::filesystem::path& dir);

/// Removes path and everything under it (symlinks themselves, never their targets); absent is ok.
Expected<void> removeTree(const std::filesystem::path& path);

}  // namespace ibackupmon::backup::detail

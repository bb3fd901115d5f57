// SPDX-License-Identifier: Apache-2.0
// What a backup folder holds, the root's mode and sizes, and the walk the safety net shares.
#include "backup/backup_folder.h"

#include <dirent.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <set>
#include <utility>

#include "backup/folder_walk.h"
#include "core/sanitize.h"
#include "device/plist_parse.h"

namespace ibackupmon::backup {
namespace fs = std::filesystem;

namespace {

// Status.plist is a few hundred bytes; Manifest.plist lists the device's apps and may reach
// megabytes. Anything larger is not what idevicebackup2 wrote and is not read.
constexpr std::uintmax_t kMaxStatusPlistBytes = 1 << 20;
constexpr std::uintmax_t kMaxManifestPlistBytes = 64 << 20;

std::optional<PlistDict> readPlistFile(const fs::path& path, std::uintmax_t maxBytes) {
  struct stat st {};
  if (!detail::statNoFollow(path, st) || !S_ISREG(st.st_mode)) return std::nullopt;
  if (static_cast<std::uintmax_t>(st.st_size) > maxBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto dict = parsePlistDict(bytes);
  if (!dict) return std::nullopt;
  return std::move(*dict);
}

// Bytes of the regular files under dir; an inode with several links counts once in `seen`.
Expected<std::uint64_t> sumFileBytes(const fs::path& dir, std::set<std::pair<dev_t, ino_t>>& seen) {
  std::uint64_t total = 0;
  auto added = detail::walkTree(dir, [&](const fs::path&, const struct stat& st) -> Expected<void> {
    if (!S_ISREG(st.st_mode)) return {};
    if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) return {};
    total += static_cast<std::uint64_t>(st.st_size);
    return {};
  });
  if (!added) return tl::unexpected(added.error());
  return total;
}

}  // namespace

namespace detail {

Expected<void> checkUdid(const std::string& udid) {
  if (isValidUdid(udid)) return {};
  return makeError("backup_udid_invalid",
                   "not a UDID (24 to 40 of 0-9, A-F, -): " + sanitizeDeviceString(udid, 64));
}

tl::unexpected<Error> ioError(const std::string& what, const fs::path& path, int error) {
  return makeError("backup_io", what + " " + path.string() + ": " +
                                    std::error_code(error, std::generic_category()).message());
}

fs::path previousRoot(const fs::path& root) {
  return root / kPreviousFolder;
}

fs::path previousFolder(const fs::path& root, const std::string& udid) {
  return previousRoot(root) / udid;
}

bool statNoFollow(const fs::path& path, struct stat& st) {
  return ::lstat(path.c_str(), &st) == 0;
}

Expected<void> walkTree(const fs::path& dir, const WalkVisitor& visit) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return {};
    return ioError("cannot read", dir, errno);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  for (const auto& name : names) {
    const fs::path path = dir / name;
    struct stat st {};
    if (!statNoFollow(path, st)) {
      if (errno == ENOENT) continue;
      return ioError("cannot stat", path, errno);
    }
    if (auto visited = visit(path, st); !visited) return visited;
    if (S_ISDIR(st.st_mode)) {
      if (auto below = walkTree(path, visit); !below) return below;
    }
  }
  return {};
}

Expected<void> makePrivateDir(const fs::path& dir) {
  struct stat st {};
  if (!statNoFollow(dir, st)) {
    if (errno != ENOENT) return ioError("cannot stat", dir, errno);
    if (::mkdir(dir.c_str(), 0700) != 0) return ioError("cannot create", dir, errno);
    if (!statNoFollow(dir, st)) return ioError("cannot stat", dir, errno);
  }
  if (S_ISLNK(st.st_mode))
    return makeError("backup_folder_invalid", dir.string() + " is a symlink, not a directory");
  if (!S_ISDIR(st.st_mode))
    return makeError("backup_folder_invalid", dir.string() + " is not a directory");
  // The umask may have taken bits away, never added them; a folder made by someone else is
  // tightened too.
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
    return ioError("cannot set mode 0700 on", dir, errno);
  return {};
}

Expected<void> removeTree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return ioError("cannot remove", path, ec.value());
  return {};
}

}  // namespace detail

bool isValidUdid(std::string_view udid) {
  if (udid.size() < 24 || udid.size() > 40) return false;
  for (char c : udid) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != '-') return false;
  }
  return true;
}

Expected<FolderInfo> inspect(const fs::path& root, const std::string& udid) {
  if (auto valid = detail::checkUdid(udid); !valid) return tl::unexpected(valid.error());
  FolderInfo info;
  struct stat st {};
  info.previousKept = detail::statNoFollow(detail::previousFolder(root, udid), st);
  const fs::path folder = root / udid;
  if (!detail::statNoFollow(folder, st)) {
    if (errno == ENOENT) return info;
    return detail::ioError("cannot stat", folder, errno);
  }
  if (!S_ISDIR(st.st_mode))
    return makeError("backup_folder_invalid", folder.string() + " is not a directory");
  info.exists = true;
  if (auto status = readPlistFile(folder / "Status.plist", kMaxStatusPlistBytes)) {
    const PlistValue* state = findKey(*status, "SnapshotState");
    info.finished = state && state->get<std::string>() && *state->get<std::string>() == "finished";
    const PlistValue* date = findKey(*status, "Date");
    if (date && date->get<PlistDate>())
      info.date = fromAppleSeconds(date->get<PlistDate>()->appleSeconds);
  }
  if (auto manifest = readPlistFile(folder / "Manifest.plist", kMaxManifestPlistBytes)) {
    const PlistValue* encrypted = findKey(*manifest, "IsEncrypted");
    info.encrypted = encrypted && encrypted->get<bool>() && *encrypted->get<bool>();
  }
  std::set<std::pair<dev_t, ino_t>> seen;
  auto bytes = sumFileBytes(folder, seen);
  if (!bytes) return tl::unexpected(bytes.error());
  info.bytes = *bytes;
  return info;
}

Expected<void> ensureRoot(const fs::path& root) {
  if (root.empty()) return makeError("backup_root_invalid", "the backup folder is not set");
  auto made = detail::makePrivateDir(root);
  if (!made && made.error().code == "backup_folder_invalid")
    return makeError("backup_root_invalid", made.error().message);
  return made;
}

Expected<std::uint64_t> freeBytes(const fs::path& root) {
  struct statvfs vfs {};
  if (::statvfs(root.c_str(), &vfs) != 0) return detail::ioError("cannot statvfs", root, errno);
  return static_cast<std::uint64_t>(vfs.f_bavail) * static_cast<std::uint64_t>(vfs.f_frsize);
}

Expected<std::uint64_t> totalBytes(const fs::path& root) {
  std::set<std::pair<dev_t, ino_t>> seen;
  return sumFileBytes(root, seen);
}

}  // namespace ibackupmon::backup

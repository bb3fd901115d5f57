// SPDX-License-Identifier: Apache-2.0
// The safety net around a run of idevicebackup2: preserve, restorePrevious, dropPrevious and
// removeDevice (backup_folder.h says which files are hard-linked and which are copied, and why).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "backup/backup_folder.h"
#include "backup/folder_walk.h"

namespace ibackupmon::backup {
namespace fs = std::filesystem;

namespace {

// Staging names next to <root>/.previous/<UDID>: a copy being made, a failed run being removed.
fs::path partialFolder(const fs::path& root, const std::string& udid) {
  return detail::previousRoot(root) / (udid + ".partial");
}
fs::path failedFolder(const fs::path& root, const std::string& udid) {
  return detail::previousRoot(root) / (udid + ".failed");
}

// A real copy of `from` (mode, access and modification times kept) at `to`, which must not exist.
Expected<void> copyRegularFile(const fs::path& from, const fs::path& to, const struct stat& st) {
  const int in = ::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return detail::ioError("cannot open", from, errno);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    const int e = errno;
    ::close(in);
    return detail::ioError("cannot create", to, e);
  }
  std::vector<char> buffer(std::size_t{128} * 1024);
  int error = 0;
  for (;;) {
    const ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    for (ssize_t done = 0; done < got && !error;) {
      const ssize_t put = ::write(out, buffer.data() + done, static_cast<std::size_t>(got - done));
      if (put < 0 && errno != EINTR) error = errno;
      if (put > 0) done += put;
    }
    if (error) break;
  }
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (!error && ::fchmod(out, st.st_mode & 07777) != 0) error = errno;
  if (!error && ::futimens(out, times) != 0) error = errno;
  ::close(in);
  if (::close(out) != 0 && !error) error = errno;
  if (error) return detail::ioError("cannot copy to", to, error);
  return {};
}

// A hard link where the file system allows one, else a copy.
Expected<void> linkOrCopy(const fs::path& from, const fs::path& to, const struct stat& st) {
  if (::link(from.c_str(), to.c_str()) == 0) return {};
  if (errno == EXDEV || errno == EMLINK || errno == EPERM || errno == ENOTSUP)
    return copyRegularFile(from, to, st);
  return detail::ioError("cannot link", to, errno);
}

// `live` mirrored at `copy`: folders 0700, top-level files copied, files below hard-linked.
Expected<void> mirrorFolder(const fs::path& live, const fs::path& copy) {
  if (auto made = detail::makePrivateDir(copy); !made) return made;
  return detail::walkTree(live, [&](const fs::path& path, const struct stat& st) -> Expected<void> {
    const fs::path relative = path.lexically_relative(live);
    const fs::path target = copy / relative;
    if (S_ISDIR(st.st_mode)) return detail::makePrivateDir(target);
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::copy_symlink(path, target, ec);
      if (ec) return detail::ioError("cannot copy the symlink to", target, ec.value());
      return {};
    }
    if (!S_ISREG(st.st_mode)) return {};  // idevicebackup2 writes only files and folders
    const bool topLevel = !relative.has_parent_path();
    return topLevel ? copyRegularFile(path, target, st) : linkOrCopy(path, target, st);
  });
}

bool pathPresent(const fs::path& path) {
  struct stat st {};
  return detail::statNoFollow(path, st);
}

Expected<void> renameTo(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return detail::ioError("cannot rename to", to, errno);
  return {};
}

}  // namespace

Expected<void> preserve(const fs::path& root, const std::string& udid) {
  auto info = inspect(root, udid);
  if (!info) return tl::unexpected(info.error());
  if (!info->finished) return {};
  if (auto made = detail::makePrivateDir(detail::previousRoot(root)); !made) return made;
  const fs::path partial = partialFolder(root, udid);
  if (auto cleared = detail::removeTree(partial); !cleared) return cleared;
  if (auto mirrored = mirrorFolder(root / udid, partial); !mirrored) {
    (void)detail::removeTree(partial);
    return mirrored;
  }
  const fs::path previous = detail::previousFolder(root, udid);
  if (auto cleared = detail::removeTree(previous); !cleared) return cleared;
  return renameTo(partial, previous);
}

Expected<void> restorePrevious(const fs::path& root, const std::string& udid) {
  if (auto valid = detail::checkUdid(udid); !valid) return valid;
  const fs::path previous = detail::previousFolder(root, udid);
  struct stat st {};
  if (!detail::statNoFollow(previous, st)) {
    if (errno == ENOENT) return {};
    return detail::ioError("cannot stat", previous, errno);
  }
  if (!S_ISDIR(st.st_mode))
    return makeError("backup_folder_invalid", previous.string() + " is not a directory");
  // The failed run is moved aside before the copy moves in, so an interruption leaves either the
  // copy waiting in .previous (a second call finishes the job) or the copy in place.
  const fs::path live = root / udid;
  const fs::path failed = failedFolder(root, udid);
  if (auto cleared = detail::removeTree(failed); !cleared) return cleared;
  if (pathPresent(live)) {
    if (auto moved = renameTo(live, failed); !moved) return moved;
  }
  if (auto moved = renameTo(previous, live); !moved) return moved;
  return detail::removeTree(failed);
}

Expected<void> dropPrevious(const fs::path& root, const std::string& udid) {
  if (auto valid = detail::checkUdid(udid); !valid) return valid;
  for (const auto& path :
       {detail::previousFolder(root, udid), partialFolder(root, udid), failedFolder(root, udid)}) {
    if (auto removed = detail::removeTree(path); !removed) return removed;
  }
  return {};
}

Expected<void> removeDevice(const fs::path& root, const std::string& udid) {
  if (auto valid = detail::checkUdid(udid); !valid) return valid;
  if (auto removed = detail::removeTree(root / udid); !removed) return removed;
  return dropPrevious(root, udid);
}

}  // namespace ibackupmon::backup

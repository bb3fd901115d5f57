// SPDX-License-Identifier: Apache-2.0
// The backup folder and its safety net on a temporary directory, with files written the way
// idevicebackup2 writes them.
#include "backup/backup_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>

namespace ibackupmon::backup {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUdid = "00008110-0000BAC0000000A1";
constexpr const char* kOtherUdid = "00008110-0000BAC0000000A2";

class TempRoot {
 public:
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "ibackupmon-backup-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    base_ = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  fs::path base() const { return base_; }
  fs::path root() const { return base_ / "backups"; }

 private:
  fs::path base_;
};

void writeFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// As idevicebackup2 writes a file the device sends: removed, then created (a new inode).
void replaceFile(const fs::path& path, const std::string& content) {
  fs::remove(path);
  writeFile(path, content);
}

std::string plist(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST "
         "1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist "
         "version=\"1.0\"><dict>" +
         body + "</dict></plist>\n";
}

std::string statusPlist(const std::string& state) {
  return plist("<key>SnapshotState</key><string>" + state +
               "</string><key>Date</key><date>2026-12-07T05:07:56Z</date>"
               "<key>IsFullBackup</key><true/>");
}

// A finished backup: metadata at the top, content files in hashed subfolders.
void makeBackup(const fs::path& root, const std::string& udid, const std::string& tag) {
  const fs::path d = root / udid;
  writeFile(d / "Info.plist", plist("<key>Tag</key><string>" + tag + "</string>"));
  writeFile(d / "Manifest.plist", plist("<key>IsEncrypted</key><false/>"));
  writeFile(d / "Manifest.db", "sqlite " + tag);
  writeFile(d / "3b" / "3b29365e", "photo " + tag);
  writeFile(d / "3d" / "3d0d7e5f", "sms " + tag);
  writeFile(d / "78" / "78564230", "log " + tag);
  writeFile(d / "Status.plist", statusPlist("finished"));
}

// Every file under dir by relative path: its content.
std::map<std::string, std::string> contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().lexically_relative(dir).string()] = readFile(e.path());
  return out;
}

std::uint64_t bytesOf(const std::map<std::string, std::string>& files) {
  std::uint64_t n = 0;
  for (const auto& [name, content] : files) n += content.size();
  return n;
}

mode_t modeOf(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

struct stat statOf(const fs::path& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st;
}

fs::path previous(const fs::path& root, const std::string& udid = kUdid) {
  return root / ".previous" / udid;
}

TEST(BackupFolderTest, UdidsAreValidated) {
  EXPECT_TRUE(isValidUdid(kUdid));
  EXPECT_TRUE(isValidUdid("0123456789abcdef0123456789ABCDEF01234567"));
  EXPECT_FALSE(isValidUdid("0123456789abcdef0123456789ABCDEF012345678"));  // 41
  EXPECT_FALSE(isValidUdid("00008110-0000BAC00000"));                      // 21
  EXPECT_FALSE(isValidUdid("../../../../etc/passwd/aaaa"));
  EXPECT_FALSE(isValidUdid("00008110-0000BAC0000000A/"));
  EXPECT_FALSE(isValidUdid("00008110-0000BAC0000000G1"));
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  for (const std::string bad : {"..", "../x/00008110-0000BAC0000000A1", "", ".previous"}) {
    EXPECT_EQ(inspect(t.root(), bad).error().code, "backup_udid_invalid") << bad;
    EXPECT_EQ(preserve(t.root(), bad).error().code, "backup_udid_invalid") << bad;
    EXPECT_EQ(restorePrevious(t.root(), bad).error().code, "backup_udid_invalid") << bad;
    EXPECT_EQ(dropPrevious(t.root(), bad).error().code, "backup_udid_invalid") << bad;
    EXPECT_EQ(removeDevice(t.root(), bad).error().code, "backup_udid_invalid") << bad;
  }
  EXPECT_TRUE(fs::exists(t.root()));
}

TEST(BackupFolderTest, EnsureRootMakesAndTightensAPrivateDirectory) {
  TempRoot t;
  const mode_t old = ::umask(0);
  auto made = ensureRoot(t.root());
  ::umask(old);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(modeOf(t.root()), 0700u);
  ASSERT_EQ(::chmod(t.root().c_str(), 0755), 0);
  ASSERT_TRUE(ensureRoot(t.root()));
  EXPECT_EQ(modeOf(t.root()), 0700u);
  ASSERT_TRUE(ensureRoot(t.root()));  // again: nothing to do

  const fs::path link = t.base() / "link";
  fs::create_directory_symlink(t.root(), link);
  auto viaLink = ensureRoot(link);
  ASSERT_FALSE(viaLink);
  EXPECT_EQ(viaLink.error().code, "backup_root_invalid");
  EXPECT_NE(viaLink.error().message.find("symlink"), std::string::npos);

  writeFile(t.base() / "file", "x");
  auto file = ensureRoot(t.base() / "file");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "backup_root_invalid");

  auto orphan = ensureRoot(t.base() / "missing" / "backups");
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, "backup_io");
  EXPECT_FALSE(ensureRoot(""));
}

TEST(BackupFolderTest, InspectReadsStatusAndManifest) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  auto absent = inspect(t.root(), kUdid);
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->exists);
  EXPECT_FALSE(absent->finished);

  makeBackup(t.root(), kUdid, "one");
  auto info = inspect(t.root(), kUdid);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->exists);
  EXPECT_TRUE(info->finished);
  ASSERT_TRUE(info->date);
  EXPECT_EQ(toUnixSeconds(*info->date), 1796620076);  // 2026-12-07T05:07:56Z
  EXPECT_FALSE(info->encrypted);
  EXPECT_EQ(info->bytes, bytesOf(contents(t.root() / kUdid)));
  EXPECT_FALSE(info->previousKept);

  replaceFile(t.root() / kUdid / "Manifest.plist", plist("<key>IsEncrypted</key><true/>"));
  replaceFile(t.root() / kUdid / "Status.plist", statusPlist("new"));
  info = inspect(t.root(), kUdid);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->finished);
  EXPECT_TRUE(info->encrypted);

  replaceFile(t.root() / kUdid / "Status.plist", std::string("\x00\x01garbage", 9));
  info = inspect(t.root(), kUdid);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->exists);
  EXPECT_FALSE(info->finished);
  EXPECT_FALSE(info->date);

  writeFile(t.root() / kOtherUdid, "a file where a folder belongs");
  auto notDir = inspect(t.root(), kOtherUdid);
  ASSERT_FALSE(notDir);
  EXPECT_EQ(notDir.error().code, "backup_folder_invalid");
}

TEST(BackupFolderTest, PreserveLinksContentAndCopiesTopLevelFiles) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  auto kept = preserve(t.root(), kUdid);
  ASSERT_TRUE(kept) << kept.error().message;
  const fs::path live = t.root() / kUdid;
  const fs::path prev = previous(t.root());
  EXPECT_EQ(contents(prev), contents(live));
  EXPECT_EQ(modeOf(t.root() / ".previous"), 0700u);
  EXPECT_EQ(modeOf(prev), 0700u);
  EXPECT_EQ(modeOf(prev / "3b"), 0700u);
  for (const char* top : {"Status.plist", "Manifest.plist", "Manifest.db", "Info.plist"}) {
    EXPECT_NE(statOf(live / top).st_ino, statOf(prev / top).st_ino) << top;
    EXPECT_EQ(statOf(live / top).st_nlink, 1u) << top;
  }
  EXPECT_EQ(statOf(live / "3b" / "3b29365e").st_ino, statOf(prev / "3b" / "3b29365e").st_ino);
  EXPECT_EQ(statOf(live / "3b" / "3b29365e").st_nlink, 2u);
  EXPECT_TRUE(inspect(t.root(), kUdid)->previousKept);
}

TEST(BackupFolderTest, RestorePreviousUndoesAFailedRun) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  const fs::path live = t.root() / kUdid;
  const auto before = contents(live);
  ASSERT_TRUE(preserve(t.root(), kUdid));

  // A run that fails half-way, writing as idevicebackup2 does: Status.plist says "new", one
  // content file is sent again, one is new, one removed, a Snapshot folder is left behind ...
  replaceFile(live / "Status.plist", statusPlist("new"));
  replaceFile(live / "3d" / "3d0d7e5f", "sms two, half");
  writeFile(live / "aa" / "aa000001", "new file");
  fs::remove(live / "78" / "78564230");
  writeFile(live / "Snapshot" / "Manifest.db", "partial");
  // ... and a top-level file truncated in place (DLMessageCopyItem's fopen "wb").
  std::ofstream(live / "Manifest.db", std::ios::binary | std::ios::trunc) << "trunc";
  std::ofstream(live / "Info.plist", std::ios::binary | std::ios::trunc) << "";

  auto restored = restorePrevious(t.root(), kUdid);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(contents(live), before);
  EXPECT_TRUE(inspect(t.root(), kUdid)->finished);
  EXPECT_FALSE(fs::exists(previous(t.root())));
  EXPECT_TRUE(fs::is_empty(t.root() / ".previous"));  // no staging folder left
  EXPECT_FALSE(inspect(t.root(), kUdid)->previousKept);
}

TEST(BackupFolderTest, DropPreviousKeepsTheNewBackup) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  ASSERT_TRUE(preserve(t.root(), kUdid));
  const fs::path live = t.root() / kUdid;
  replaceFile(live / "3d" / "3d0d7e5f", "sms two");
  replaceFile(live / "Status.plist", statusPlist("finished"));
  const auto after = contents(live);
  ASSERT_TRUE(dropPrevious(t.root(), kUdid));
  EXPECT_FALSE(fs::exists(previous(t.root())));
  EXPECT_EQ(contents(live), after);
  EXPECT_EQ(statOf(live / "3b" / "3b29365e").st_nlink, 1u);
  ASSERT_TRUE(dropPrevious(t.root(), kUdid));  // nothing left to drop: fine
}

TEST(BackupFolderTest, AnUnfinishedFolderNeverReplacesTheKeptCopy) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  const fs::path live = t.root() / kUdid;
  const auto first = contents(live);
  ASSERT_TRUE(preserve(t.root(), kUdid));
  // A run the daemon never cleaned up after (it crashed), then the next run's preserve.
  replaceFile(live / "Status.plist", statusPlist("new"));
  replaceFile(live / "3b" / "3b29365e", "photo two");
  ASSERT_TRUE(preserve(t.root(), kUdid));
  EXPECT_EQ(contents(previous(t.root())), first);
  ASSERT_TRUE(restorePrevious(t.root(), kUdid));
  EXPECT_EQ(contents(live), first);
}

TEST(BackupFolderTest, NothingToPreserveOrRestore) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  ASSERT_TRUE(preserve(t.root(), kUdid));  // no folder yet
  EXPECT_FALSE(fs::exists(t.root() / ".previous"));
  // A first run that failed: nothing to put back, its folder stays as it is.
  writeFile(t.root() / kUdid / "Status.plist", statusPlist("new"));
  ASSERT_TRUE(preserve(t.root(), kUdid));
  EXPECT_FALSE(fs::exists(previous(t.root())));
  ASSERT_TRUE(restorePrevious(t.root(), kUdid));
  EXPECT_EQ(readFile(t.root() / kUdid / "Status.plist"), statusPlist("new"));
}

TEST(BackupFolderTest, RemoveDeviceTakesFolderAndCopyOnly) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  makeBackup(t.root(), kOtherUdid, "other");
  ASSERT_TRUE(preserve(t.root(), kUdid));
  ASSERT_TRUE(preserve(t.root(), kOtherUdid));
  ASSERT_TRUE(removeDevice(t.root(), kUdid));
  EXPECT_FALSE(fs::exists(t.root() / kUdid));
  EXPECT_FALSE(fs::exists(previous(t.root())));
  EXPECT_TRUE(inspect(t.root(), kOtherUdid)->finished);
  EXPECT_TRUE(fs::exists(previous(t.root(), kOtherUdid)));
  ASSERT_TRUE(removeDevice(t.root(), kUdid));  // already gone: fine
}

TEST(BackupFolderTest, TotalBytesCountsHardLinksOnce) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  makeBackup(t.root(), kOtherUdid, "other");
  const auto one = contents(t.root() / kUdid);
  const auto other = contents(t.root() / kOtherUdid);
  EXPECT_EQ(totalBytes(t.root()).value(), bytesOf(one) + bytesOf(other));
  ASSERT_TRUE(preserve(t.root(), kUdid));
  // The copy adds its copied top-level files; its hard links add nothing.
  std::uint64_t topLevel = 0;
  for (const auto& [name, content] : one)
    if (name.find('/') == std::string::npos) topLevel += content.size();
  EXPECT_EQ(totalBytes(t.root()).value(), bytesOf(one) + bytesOf(other) + topLevel);
  EXPECT_EQ(inspect(t.root(), kUdid)->bytes, bytesOf(one));

  auto free = freeBytes(t.root());
  ASSERT_TRUE(free);
  EXPECT_GT(*free, 0u);
  EXPECT_FALSE(freeBytes(t.base() / "missing"));
  EXPECT_EQ(totalBytes(t.base() / "missing").value(), 0u);
}

TEST(BackupFolderTest, SymlinksAreNeverFollowed) {
  TempRoot t;
  ASSERT_TRUE(ensureRoot(t.root()));
  makeBackup(t.root(), kUdid, "one");
  writeFile(t.base() / "outside" / "big", std::string(10000, 'x'));
  fs::create_directory_symlink(t.base() / "outside", t.root() / kUdid / "ff");
  const auto bytes = bytesOf(contents(t.root() / kUdid / "3b")) +
                     bytesOf(contents(t.root() / kUdid / "3d")) +
                     bytesOf(contents(t.root() / kUdid / "78"));
  EXPECT_LT(totalBytes(t.root()).value(), 10000u + bytes);
  ASSERT_TRUE(preserve(t.root(), kUdid));
  EXPECT_TRUE(fs::is_symlink(previous(t.root()) / "ff"));
  ASSERT_TRUE(removeDevice(t.root(), kUdid));
  EXPECT_EQ(readFile(t.base() / "outside" / "big").size(), 10000u);
}

}  // namespace
}  // namespace ibackupmon::backup

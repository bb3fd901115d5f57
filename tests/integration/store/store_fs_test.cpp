// SPDX-License-Identifier: Apache-2.0
// The store on hostile file systems: a read-only mount and a full disk (tmpfs). Tests run as
// root, so permissions prove nothing; real mounts do. Skipped where mounting is not permitted.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "store/database.h"
#include "store/store.h"
#include "store_fixtures.h"
#include "support/child_process.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

namespace fs = std::filesystem;
using testing::at;

constexpr long long kT0 = 1'700'000'000;

class MountTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (mounted_) umount2(mnt_.c_str(), MNT_DETACH);
  }
  bool mountTmpfs(const std::string& options) {
    fs::create_directories(mnt_);
    if (mount("tmpfs", mnt_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      why_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
      return false;
    }
    return mounted_ = true;
  }
  bool bindReadOnly(const std::string& source) {
    fs::create_directories(mnt_);
    if (mount(source.c_str(), mnt_.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      why_ = std::string("mount --bind: ") + std::strerror(errno);
      return false;
    }
    mounted_ = true;
    if (mount(nullptr, mnt_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      why_ = std::string("remount ro: ") + std::strerror(errno);
      return false;
    }
    return true;
  }
  testing::TempDir dir_;
  std::string mnt_ = dir_.file("mnt");
  std::string why_;
  bool mounted_ = false;
};

// Fills a database until the file system is full; returns the backup events committed.
int fillUntilFull(Store& store, Error& error, int& devices) {
  int committed = 0;
  for (int i = 0; i < 100000; ++i) {
    auto s = testing::snapshot("dev" + std::to_string(i % 50), kT0 + i * 300, i % 100);
    s.identity.name = "device-" + std::to_string(i) + std::string(300, 'n');  // grows rows fast
    s.backup->lastCloudBackup = at(kT0 + i);
    auto r = store.recordSnapshot(s);
    if (!r) {
      error = r.error();
      return committed;
    }
    committed += static_cast<int>(r->size());
    devices = std::min(50, i + 1);
  }
  return committed;
}

TEST_F(MountTest, FullDiskIsAClearErrorAndLosesNothing) {
  if (!mountTmpfs("size=768k")) GTEST_SKIP() << "cannot mount a tmpfs here (" << why_ << ")";
  const std::string path = mnt_ + "/ibackupmon.db";
  const std::string filler = mnt_ + "/filler";
  { std::ofstream(filler) << std::string(200 * 1024, 'f'); }
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_TRUE(store) << store.error().message;
  Error error;
  int devices = 0;
  int committed = fillUntilFull(**store, error, devices);
  ASSERT_GT(committed, 10);
  EXPECT_EQ(error.code, "db_full") << error.message;
  EXPECT_NE(error.message.find(path), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("disk full"), std::string::npos) << error.message;
  // The writer keeps running: reads work now, writes work again once there is space.
  int stored = 0;
  for (int d = 0; d < devices; ++d) {
    auto t = (*store)->timeline("dev" + std::to_string(d));
    ASSERT_TRUE(t) << t.error().message;
    stored += static_cast<int>(t->backups.size());
  }
  EXPECT_EQ(stored, committed) << "every committed backup event is still there";
  fs::remove(filler);
  auto s = testing::snapshot("after", kT0 + 999999);
  s.backup->lastCloudBackup = at(kT0 + 999999);
  auto again = (*store)->recordSnapshot(s);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->size(), 1u);
  store->reset();
  auto reopened = Store::open(path, OpenMode::ReadWrite);  // runs quick_check
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto db = Database::open(path, DbAccess::ReadOnly);
  ASSERT_TRUE(db);
  auto st = db->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(*(*st)->step());
  EXPECT_EQ((*st)->text(0), "ok");
}

// Fills the file system with a filler file until not one page is left.
void fillFileSystem(const std::string& filler) {
  int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const std::string block(4096, 'f');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  EXPECT_EQ(errno, ENOSPC) << std::strerror(errno);
  ::close(fd);
}

// A database that has run for a while (its WAL checkpointed into the file) on a disk that fills
// up. Freeing far less than the ~4 MB the WAL grows to between automatic checkpoints must be
// enough to record again, for good, not just for the few commits the freed space holds.
TEST_F(MountTest, NearlyFullDiskRecoversWithLittleSpaceFreed) {
  if (!mountTmpfs("size=2m")) GTEST_SKIP() << "cannot mount a tmpfs here (" << why_ << ")";
  const std::string path = mnt_ + "/ibackupmon.db";
  const std::string filler = mnt_ + "/filler";
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_TRUE(store) << store.error().message;
  auto heartbeat = [](int d, long long t) {  // the same values every time, a later time
    auto s = testing::snapshot("dev" + std::to_string(d), t);
    s.backup->lastCloudBackup = at(kT0 - d);
    return s;
  };
  for (int d = 0; d < 20; ++d) ASSERT_TRUE((*store)->recordSnapshot(heartbeat(d, kT0)));
  {
    auto db = Database::open(path, DbAccess::ReadWrite);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  fillFileSystem(filler);
  auto full = (*store)->recordSnapshot(heartbeat(0, kT0 + 1));
  ASSERT_FALSE(full) << "the file system should be full";
  EXPECT_EQ(full.error().code, "db_full") << full.error().message;

  // 64 KiB back: room for a handful of WAL frames.
  fs::resize_file(filler, fs::file_size(filler) - 64 * 1024);
  int failed = 0;
  std::string firstError;
  for (int i = 2; i < 600; ++i) {
    auto r = (*store)->recordSnapshot(heartbeat(i % 20, kT0 + i));
    if (!r && failed++ == 0) firstError = r.error().message;
  }
  EXPECT_EQ(failed, 0) << "writes failed after space was freed, first: " << firstError;
  auto t = (*store)->timeline("dev7");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->backups.size(), 1u);
  store->reset();
  auto db = Database::open(path, DbAccess::ReadOnly);
  ASSERT_TRUE(db);
  auto st = db->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(*(*st)->step());
  EXPECT_EQ((*st)->text(0), "ok");
}

TEST_F(MountTest, ReadOnlyLocationIsAClearErrorAndReadsStillWork) {
  const std::string src = dir_.file("data");
  fs::create_directories(src);
  {
    auto store = Store::open(src + "/ibackupmon.db", OpenMode::ReadWrite);
    ASSERT_TRUE(store);
    auto s = testing::snapshot("A", kT0);
    s.backup->lastCloudBackup = at(kT0 - 60);
    ASSERT_TRUE((*store)->recordCycle(s, {}, testing::status("A", BackupState::Ok)));
  }
  if (!bindReadOnly(src)) GTEST_SKIP() << "cannot bind-mount read-only here (" << why_ << ")";
  const std::string path = mnt_ + "/ibackupmon.db";
  auto rw = Store::open(path, OpenMode::ReadWrite);
  ASSERT_FALSE(rw) << "the writer must not run on a read-only database";
  EXPECT_EQ(rw.error().code, "db_readonly") << rw.error().message;
  EXPECT_NE(rw.error().message.find(path), std::string::npos);
  auto fresh = Store::open(mnt_ + "/new.db", OpenMode::ReadWrite);
  ASSERT_FALSE(fresh);
  EXPECT_NE(fresh.error().message.find(mnt_ + "/new.db"), std::string::npos);
  EXPECT_FALSE(fs::exists(mnt_ + "/new.db"));
  // ibackupmonctl reads a database it cannot write (a backup copy, a read-only mount).
  auto r = testing::runProcess(
      {std::string(IBACKUPMON_BIN_DIR) + "/ibackupmonctl", "status", "--json", "--db", path});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("\"udid\": \"A\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Opening: bad files, versions, and migration from every fixture version to the latest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/database.h"
#include "store/migrator.h"
#include "store/store.h"
#include "store_fixtures.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A real database with data, closed, so its bytes can be damaged.
void makeDatabase(const std::string& path) {
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  for (int i = 0; i < 200; ++i) {
    auto s = testing::snapshot("dev" + std::to_string(i), 1'700'000'000 + i, i % 100);
    s.backup->lastCloudBackup = testing::at(1'700'000'000 - i);
    ASSERT_TRUE((*store)->recordSnapshot(s));
  }
  auto db = Database::open(path, DbAccess::ReadWrite);  // checkpoint the WAL into the file
  ASSERT_TRUE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
}

TEST(StoreOpenTest, TruncatedDatabaseIsCorruptAndKept) {
  TempDir dir;
  std::string path = dir.file("t.db");
  makeDatabase(path);
  auto size = fs::file_size(path);
  ASSERT_GT(size, 8192u);
  fs::resize_file(path, size / 2);
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_FALSE(store) << "a half database must not open as if healthy";
  EXPECT_EQ(store.error().code, "db_corrupt") << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_EQ(fs::file_size(path), size / 2) << "the damaged file is left for recovery";
}

TEST(StoreOpenTest, TinyAndGarbageFilesAreCorrupt) {
  TempDir dir;
  for (std::string content : {std::string("SQLite"), std::string(5000, 'x')}) {
    std::string path = dir.file("g.db");
    { std::ofstream(path, std::ios::binary) << content; }
    auto store = Store::open(path, OpenMode::ReadWrite);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, "db_corrupt");
    EXPECT_NE(store.error().message.find(path), std::string::npos);
    EXPECT_EQ(readFile(path), content);
    auto ro = Store::open(path, OpenMode::ReadOnly);
    ASSERT_FALSE(ro);
    EXPECT_EQ(ro.error().code, "db_corrupt");
  }
}

TEST(StoreOpenTest, MissingDirectoryAndReadOnlyMissingFile) {
  TempDir dir;
  auto rw = Store::open(dir.file("no/such/dir/x.db"), OpenMode::ReadWrite);
  ASSERT_FALSE(rw);
  EXPECT_EQ(rw.error().code, "db_unwritable");
  EXPECT_NE(rw.error().message.find("no/such/dir"), std::string::npos);
  auto ro = Store::open(dir.file("x.db"), OpenMode::ReadOnly);
  ASSERT_FALSE(ro);
  EXPECT_EQ(ro.error().code, "db_missing");
  EXPECT_FALSE(fs::exists(dir.file("x.db")));
}

TEST(StoreOpenTest, NewerSchemaIsRefusedInBothModes) {
  TempDir dir;
  std::string path = dir.file("n.db");
  ASSERT_TRUE(Store::open(path, OpenMode::ReadWrite));
  {
    auto db = Database::open(path, DbAccess::ReadWrite);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 4242"));
  }
  for (auto mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    auto store = Store::open(path, mode);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, "db_newer");
    EXPECT_NE(store.error().message.find("4242"), std::string::npos);
    EXPECT_NE(store.error().message.find(path), std::string::npos);
  }
}

// Every tests/fixtures/store/vN.sql is a database at schema version N with data. Each must
// migrate to the latest version with its data intact.
TEST(StoreOpenTest, MigratesEveryFixtureVersionToLatest) {
  const fs::path fixtures = fs::path(IBACKUPMON_SOURCE_DIR) / "tests/fixtures/store";
  const int latest = embeddedMigrations().back().version;
  int tested = 0;
  for (int v = 1; v < latest + 1; ++v) {
    fs::path sql = fixtures / ("v" + std::to_string(v) + ".sql");
    if (!fs::exists(sql)) continue;
    SCOPED_TRACE(sql.string());
    TempDir dir;
    std::string path = dir.file("f.db");
    {
      auto db = Database::open(path, DbAccess::ReadWrite);
      ASSERT_TRUE(db);
      ASSERT_TRUE(db->exec(readFile(sql))) << "fixture does not load";
      ASSERT_EQ(*db->queryInt("PRAGMA user_version"), v) << "fixture must set user_version";
    }
    auto store = Store::open(path, OpenMode::ReadWrite);
    ASSERT_TRUE(store) << store.error().message;
    auto db = Database::open(path, DbAccess::ReadOnly);
    EXPECT_EQ(*db->queryInt("PRAGMA user_version"), latest);
    // The fixture data every version carries (see tests/fixtures/store/README.md).
    auto t = (*store)->timeline("00008030-FIXTURE0000001");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->backups.size(), 3u);
    EXPECT_EQ(t->sessions.size(), 2u);
    EXPECT_EQ(t->conditions.size(), 2u);
    EXPECT_EQ(t->observations.size(), 2u);
    auto st = (*store)->loadStatus();
    ASSERT_TRUE(st);
    ASSERT_EQ(st->size(), 1u) << "the forgotten fixture device stays hidden";
    EXPECT_EQ((*st)[0].name, "Cart 3 / 17");
    EXPECT_EQ((*st)[0].backupState, BackupState::Stale);
    auto h = (*store)->loadHistory("00008030-FIXTURE0000001");
    EXPECT_EQ((*h)->lastCloudBackup, testing::at(1'699'900'000));
    EXPECT_EQ((*h)->openConditions.count("backup_stale"), 1u);
    // Attach sessions keep their times, and the migrated table keys a device that is unplugged
    // and plugged back within one second apart from the session it just closed.
    ASSERT_EQ(t->sessions.size(), 2u);
    EXPECT_EQ(t->sessions[0].attached, testing::at(1'699'000'000));
    EXPECT_EQ(t->sessions[0].detached, testing::at(1'699'500'000));
    EXPECT_EQ(t->sessions[1].attached, testing::at(1'699'600'000));
    EXPECT_FALSE(t->sessions[1].detached);
    const auto second = testing::at(1'700'000'100);
    const std::string udid = "00008030-FIXTURE0000001";
    ASSERT_TRUE((*store)->deviceDetached(udid, second + 100ms));
    ASSERT_TRUE((*store)->deviceAttached(udid, second + 300ms));
    ASSERT_TRUE((*store)->deviceDetached(udid, second + 500ms));
    ASSERT_TRUE((*store)->deviceAttached(udid, second + 700ms));
    t = (*store)->timeline(udid);
    ASSERT_EQ(t->sessions.size(), 4u);
    EXPECT_EQ(t->sessions[2].detached, second);
    EXPECT_EQ(t->sessions[3].attached, second);
    EXPECT_FALSE(t->sessions[3].detached) << "the device is attached: its session is open";
    ++tested;
  }
  EXPECT_GE(tested, 2) << "fixtures v1 and v2 not found under " << fixtures;
}

}  // namespace
}  // namespace ibackupmon

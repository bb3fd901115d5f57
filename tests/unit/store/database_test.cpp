// SPDX-License-Identifier: Apache-2.0
#include "store/database.h"

#include <gtest/gtest.h>

#include <fstream>

#include "store/migrator.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using testing::TempDir;

TEST(DatabaseTest, CreatesWalDatabaseAndCachesStatements) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER, s TEXT)"));
  for (int i = 0; i < 3; ++i) {
    auto st = db->prepare("INSERT INTO t VALUES (?1, ?2)");
    ASSERT_TRUE(st);
    (*st)->bind(1, i).bind(2, std::optional<std::string>{});
    ASSERT_TRUE((*st)->run());
  }
  auto n = db->queryInt("SELECT count(*) FROM t WHERE s IS NULL");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3);
  auto st = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st);
  ASSERT_TRUE(*(*st)->step());
  EXPECT_EQ((*st)->text(0), "wal");
}

TEST(DatabaseTest, BindErrorIsReportedByStep) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  auto st = db->prepare("SELECT ?1");
  ASSERT_TRUE(st);
  (*st)->bind(5, 1);
  auto r = (*st)->step();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("a.db"), std::string::npos);
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)"));
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
  }
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(*db->queryInt("SELECT sum(x) FROM t"), 2);
}

TEST(DatabaseTest, GarbageFileIsCorruptNotReplaced) {
  TempDir dir;
  std::string path = dir.file("garbage.db");
  { std::ofstream(path) << "this is not a database, just some text that is long enough......"; }
  auto db = Database::open(path, DbAccess::ReadWrite);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "db_corrupt");
  EXPECT_NE(db.error().message.find(path), std::string::npos);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content.rfind("this is not a database", 0), 0u) << "file must be left untouched";
}

TEST(DatabaseTest, ReadOnlyOfMissingFileIsMissing) {
  TempDir dir;
  auto db = Database::open(dir.file("none.db"), DbAccess::ReadOnly);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "db_missing");
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));
}

TEST(MigratorTest, EmptyToLatestSetsVersionAndIncrementalVacuum) {
  TempDir dir;
  auto db = Database::open(dir.file("m.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  auto v = migrate(*db, embeddedMigrations());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, embeddedMigrations().back().version);
  EXPECT_EQ(*db->queryInt("PRAGMA user_version"), *v);
  EXPECT_EQ(*db->queryInt("PRAGMA auto_vacuum"), 2);  // 2 = incremental
  EXPECT_EQ(*db->queryInt("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(*migrate(*db, embeddedMigrations()), *v) << "second run is a no-op";
}

TEST(MigratorTest, MigrationsAreContiguousFromOne) {
  const auto& ms = embeddedMigrations();
  ASSERT_FALSE(ms.empty());
  for (std::size_t i = 0; i < ms.size(); ++i) EXPECT_EQ(ms[i].version, static_cast<int>(i + 1));
}

TEST(MigratorTest, RefusesNewerDatabase) {
  TempDir dir;
  std::string path = dir.file("new.db");
  {
    auto db = Database::open(path, DbAccess::ReadWrite);
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, embeddedMigrations()));
    ASSERT_TRUE(db->exec("PRAGMA user_version = 999"));
  }
  auto db = Database::open(path, DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  auto v = migrate(*db, embeddedMigrations());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "db_newer");
  EXPECT_NE(v.error().message.find(path), std::string::npos);
  EXPECT_NE(v.error().message.find("999"), std::string::npos);
}

TEST(MigratorTest, RefusesForeignDatabase) {
  TempDir dir;
  auto db = Database::open(dir.file("f.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE other (x)"));
  auto v = migrate(*db, embeddedMigrations());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "db_foreign");
}

TEST(MigratorTest, FailedMigrationLeavesPreviousVersion) {
  TempDir dir;
  auto db = Database::open(dir.file("x.db"), DbAccess::ReadWrite);
  ASSERT_TRUE(db);
  std::vector<Migration> ms = embeddedMigrations();
  ms.push_back(
      {static_cast<int>(ms.size()) + 1, "broken", "CREATE TABLE ok_part (x); THIS IS NOT SQL;"});
  auto v = migrate(*db, ms);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("broken"), std::string::npos);
  EXPECT_EQ(*db->queryInt("PRAGMA user_version"), static_cast<int>(ms.size()) - 1);
  EXPECT_EQ(*db->queryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'ok_part'"), 0);
}

}  // namespace
}  // namespace ibackupmon

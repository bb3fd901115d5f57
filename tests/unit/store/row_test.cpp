// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/query.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using testing::TempDir;

class RowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.file("rows.db"), DbAccess::ReadWrite);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::make_unique<Database>(std::move(*db));
    ASSERT_TRUE(db_->exec(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, at INTEGER NOT NULL, "
        "closed INTEGER, note TEXT, ratio REAL);"
        "INSERT INTO t VALUES (1, 'one', 1700000000, NULL, NULL, 0.5);"
        "INSERT INTO t VALUES (2, 'two', 1700000060, 1700000120, 'n', 2);"));
  }
  TempDir dir_;
  std::unique_ptr<Database> db_;
};

struct Item {
  std::int64_t id = 0;
  std::string name;
  TimePoint at{};
  std::optional<TimePoint> closed;
  std::optional<std::string> note;
  double ratio = 0;
};

Item itemFromRow(const Row& r) {
  return Item{r.int64("id"),          r.text("name"), r.time("at"), r.optionalTime("closed"),
              r.optionalText("note"), r.real("ratio")};
}

TEST_F(RowTest, ReadsColumnsByNameInTheResultsOrder) {
  // The column order of the SELECT differs from the table's: reads do not depend on it.
  auto items = queryAll(*db_, "SELECT ratio, note, closed, at, name, id FROM t ORDER BY id DESC",
                        itemFromRow);
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].id, 2);
  EXPECT_EQ((*items)[0].name, "two");
  EXPECT_EQ((*items)[0].at, fromUnixSeconds(1700000060));
  EXPECT_EQ((*items)[0].closed, fromUnixSeconds(1700000120));
  EXPECT_EQ((*items)[0].note, "n");
  EXPECT_EQ((*items)[0].ratio, 2.0) << "an integer reads as a real";
  EXPECT_EQ((*items)[1].id, 1);
}

TEST_F(RowTest, NullReadsAsAnEmptyOptional) {
  auto one = queryOne(*db_, "SELECT closed, note FROM t WHERE id = ?1", binds(1), [](const Row& r) {
    EXPECT_TRUE(r.isNull("closed"));
    return std::make_pair(r.optionalInt64("closed"), r.optionalText("note"));
  });
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_TRUE(*one);
  EXPECT_EQ((*one)->first, std::nullopt);
  EXPECT_EQ((*one)->second, std::nullopt);
}

TEST_F(RowTest, ColumnsAreNamedByAliasOrByTheirOwnName) {
  auto one =
      queryOne(*db_, "SELECT x.name, max(x.at) AS newest, count(*) AS n FROM t x WHERE x.id > ?1",
               binds(0), [](const Row& r) {
                 return std::make_tuple(r.text("name"), r.int64("newest"), r.int64("n"));
               });
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_TRUE(*one);
  EXPECT_EQ(std::get<1>(**one), 1700000060);
  EXPECT_EQ(std::get<2>(**one), 2);
}

TEST_F(RowTest, MissingColumnIsAnErrorNamingTheColumnAndTheSql) {
  const std::string sql = "SELECT id, name FROM t ORDER BY id";
  auto items = queryAll(*db_, sql, [](const Row& r) { return r.text("udid"); });
  ASSERT_FALSE(items);
  EXPECT_EQ(items.error().code, "db_error");
  EXPECT_NE(items.error().message.find("\"udid\""), std::string::npos) << items.error().message;
  EXPECT_NE(items.error().message.find(sql), std::string::npos) << items.error().message;
  EXPECT_NE(items.error().message.find(dir_.file("rows.db")), std::string::npos);
}

TEST_F(RowTest, TheFirstFailedReadOfARowIsTheError) {
  int rows = 0;
  auto ok = forEachRow(*db_, "SELECT id FROM t ORDER BY id", [&](const Row& r) {
    ++rows;
    (void)r.int64("nope");
    (void)r.text("id");  // a second failure does not replace the first
  });
  ASSERT_FALSE(ok);
  EXPECT_EQ(rows, 1) << "the loop stops after the row whose read failed";
  EXPECT_NE(ok.error().message.find("\"nope\""), std::string::npos) << ok.error().message;
}

TEST_F(RowTest, AmbiguousColumnNameIsAnError) {
  auto items = queryAll(*db_, "SELECT a.id, b.id FROM t a JOIN t b ON a.id = b.id",
                        [](const Row& r) { return r.int64("id"); });
  ASSERT_FALSE(items);
  EXPECT_NE(items.error().message.find("more than one"), std::string::npos)
      << items.error().message;
}

TEST_F(RowTest, NullThroughANonOptionalReadIsAnError) {
  auto items = queryAll(*db_, "SELECT closed FROM t ORDER BY id",
                        [](const Row& r) { return r.time("closed"); });
  ASSERT_FALSE(items);
  EXPECT_EQ(items.error().code, "db_error");
  EXPECT_NE(items.error().message.find("\"closed\" is NULL"), std::string::npos)
      << items.error().message;
}

TEST_F(RowTest, ValueOfAnotherStorageClassIsAnError) {
  auto asInt = queryAll(*db_, "SELECT name FROM t", [](const Row& r) { return r.int64("name"); });
  ASSERT_FALSE(asInt);
  EXPECT_NE(asInt.error().message.find("holds text"), std::string::npos) << asInt.error().message;
  auto asText = queryAll(*db_, "SELECT at FROM t", [](const Row& r) { return r.text("at"); });
  ASSERT_FALSE(asText);
  EXPECT_NE(asText.error().message.find("holds integer"), std::string::npos)
      << asText.error().message;
}

TEST_F(RowTest, QueryOneWithoutARowIsNullopt) {
  auto none = queryOne(*db_, "SELECT id FROM t WHERE id = ?1", binds(42),
                       [](const Row& r) { return r.int64("id"); });
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(*none);
}

TEST_F(RowTest, ForEachRowStopsWhenToldTo) {
  std::vector<std::int64_t> seen;
  auto ok = forEachRow(*db_, "SELECT id FROM t ORDER BY id", [&](const Row& r) {
    seen.push_back(r.int64("id"));
    return false;
  });
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(seen, std::vector<std::int64_t>{1});
}

TEST_F(RowTest, StepErrorsAreMappedLikeEveryOtherStatementError) {
  // Binding ?2 of a statement with one parameter fails; step() reports it with the path.
  auto items = queryAll(*db_, "SELECT id FROM t WHERE id = ?1", binds(1, 2),
                        [](const Row& r) { return r.int64("id"); });
  ASSERT_FALSE(items);
  EXPECT_EQ(items.error().code, "db_error");
  EXPECT_NE(items.error().message.find(dir_.file("rows.db")), std::string::npos);
  auto bad = queryAll(*db_, "SELECT nope FROM t", [](const Row& r) { return r.int64("nope"); });
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("preparing SELECT nope"), std::string::npos)
      << bad.error().message;
}

TEST_F(RowTest, CachedStatementKeepsItsColumnNamesAcrossUses) {
  for (int i = 0; i < 3; ++i) {
    auto names = queryAll(*db_, "SELECT name FROM t ORDER BY id",
                          [](const Row& r) { return r.text("name"); });
    ASSERT_TRUE(names) << names.error().message;
    EXPECT_EQ(*names, (std::vector<std::string>{"one", "two"}));
  }
}

}  // namespace
}  // namespace ibackupmon

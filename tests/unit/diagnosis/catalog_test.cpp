// SPDX-License-Identifier: Apache-2.0
// The catalog is the one table of conditions; docs/conditions.md must mirror it.
#include "diagnosis/condition_catalog.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

std::string readDocs() {
  std::ifstream f(std::string(IBACKUPMON_SOURCE_DIR) + "/docs/conditions.md");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// Rows of the docs table: "| `id` | severity | confidence | ..." -> {severity, confidence}.
std::map<std::string, std::pair<std::string, std::string>> docRows(const std::string& text) {
  std::map<std::string, std::pair<std::string, std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    for (std::size_t pos = 1, next; (next = line.find(" |", pos)) != std::string::npos;
         pos = next + 2) {
      cells.push_back(line.substr(pos + 1, next - pos - 1));
    }
    if (cells.size() < 3 || cells[0].size() < 3 || cells[0].back() != '`') continue;
    rows[cells[0].substr(1, cells[0].size() - 2)] = {cells[1], cells[2]};
  }
  return rows;
}

bool isSnakeCase(const std::string& id) {
  if (id.empty() || id.front() == '_' || id.back() == '_') return false;
  for (char c : id) {
    if (!(c >= 'a' && c <= 'z') && c != '_') return false;
  }
  return true;
}

TEST(ConditionCatalog, IdsAreUniqueSnakeCaseWithFixes) {
  std::set<std::string> seen;
  for (const auto& def : conditionCatalog()) {
    EXPECT_TRUE(seen.insert(def.id).second) << def.id;
    EXPECT_TRUE(isSnakeCase(def.id)) << def.id;
    EXPECT_FALSE(def.title.empty()) << def.id;
    EXPECT_FALSE(def.fixSteps.empty()) << def.id;
    EXPECT_EQ(findConditionDef(def.id), &def);
  }
  EXPECT_EQ(findConditionDef("no_such_condition"), nullptr);
  EXPECT_GE(conditionCatalog().size(), 19u);
}

TEST(ConditionCatalog, OnlyBackupStaleIsEverCritical) {
  for (const auto& def : conditionCatalog()) EXPECT_NE(def.severity, Severity::Critical) << def.id;
  EXPECT_EQ(findConditionDef("apple_service_outage")->severity, Severity::Info);
}

TEST(ConditionCatalog, DocsListEveryIdWithItsSeverityAndConfidence) {
  const auto rows = docRows(readDocs());
  ASSERT_FALSE(rows.empty()) << "docs/conditions.md has no condition table";
  for (const auto& def : conditionCatalog()) {
    auto it = rows.find(def.id);
    ASSERT_NE(it, rows.end()) << def.id << " missing from docs/conditions.md";
    const std::string severity =
        def.id == "backup_stale" ? "warning → critical" : toString(def.severity);
    EXPECT_EQ(it->second.first, severity) << def.id;
    EXPECT_EQ(it->second.second, toString(def.confidence)) << def.id;
  }
  for (const auto& [id, _] : rows)
    EXPECT_NE(findConditionDef(id), nullptr) << id << " not in catalog";
}

TEST(ConditionCatalog, FormatFixSteps) {
  EXPECT_EQ(formatFixSteps({"Only one."}), "Only one.");
  EXPECT_EQ(formatFixSteps({"A.", "B."}), "1. A.\n2. B.");
  EXPECT_EQ(formatFixSteps({}), "");
}

}  // namespace
}  // namespace ibackupmon

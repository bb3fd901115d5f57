// SPDX-License-Identifier: Apache-2.0
// The shipped example and the reference docs must stay true to the loader.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config/config_schema.h"

namespace ibackupmon {
namespace {

const std::string kExample = std::string(IBACKUPMON_SOURCE_DIR) + "/config/ibackupmon.toml.example";
const std::string kDocs = std::string(IBACKUPMON_SOURCE_DIR) + "/docs/configuration.md";

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "section.key" for every key line in the file, commented out ("# key = ...") or not.
std::set<std::string> keysMentioned(const std::string& text) {
  static const std::regex kHeader(R"(^\s*#?\s*\[\[?([a-z_.]+)\]\]?\s*$)");
  static const std::regex kKey(R"(^\s*#?\s*([a-z_]+)\s*=)");
  std::set<std::string> keys;
  std::string section;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kHeader)) {
      section = m[1];
    } else if (std::regex_search(line, m, kKey) && !section.empty()) {
      keys.insert(section + "." + m[1].str());
    }
  }
  return keys;
}

TEST(ConfigExample, LoadsAndItsValuesAreTheBuiltInDefaults) {
  auto config = loadConfig(kExample);
  ASSERT_TRUE(config) << config.error().message;
  Config expected;
  expected.sourcePath = kExample;
  EXPECT_EQ(*config, expected) << "the example documents a value that is not the default";
}

TEST(ConfigExample, MentionsEveryKeyInItsSection) {
  const auto mentioned = keysMentioned(readFile(kExample));
  for (const auto& key : allConfigKeys()) {
    EXPECT_TRUE(mentioned.contains(key)) << key << " missing from " << kExample;
  }
  for (const auto& key : mentioned) {
    const auto all = allConfigKeys();
    EXPECT_NE(std::find(all.begin(), all.end(), key), all.end()) << "unknown key " << key;
  }
}

TEST(ConfigExample, CommentedKeysAreValidToo) {
  // Uncommenting every "# key = value" line must still give a valid file.
  std::string text = readFile(kExample);
  text =
      std::regex_replace(text, std::regex(R"((^|\n)# ([a-z_]+ = |\[\[device|\[\[slot))"), "$1$2");
  auto config = loadConfigFromString(text, "uncommented.toml");
  ASSERT_TRUE(config) << config.error().message << "\n" << text;
  EXPECT_TRUE(config->ios.minimumVersion.has_value());
  EXPECT_EQ(config->devices.size(), 1u);
  ASSERT_EQ(config->slots.size(), 2u);
  EXPECT_EQ(config->slots[0].port, "1-2.3.4");
  EXPECT_EQ(config->slots[1].path, "pci-0000:00:14.0-usb-0:2.3.5");
}

TEST(ConfigDocs, ReferenceNamesEveryKeyAndEveryRestartKey) {
  const std::string docs = readFile(kDocs);
  for (const auto& key : allConfigKeys()) {
    EXPECT_NE(docs.find("`" + key + "`"), std::string::npos) << key << " missing from " << kDocs;
  }
  for (const auto& key : restartRequiredKeys()) {
    EXPECT_NE(docs.find("`" + key + "` (restart)"), std::string::npos) << key;
  }
}

TEST(ConfigDiff, RestartKeysAreReportedAndKept) {
  Config running;
  Config next;
  next.metrics.listen = "127.0.0.1:1";
  next.storage.path = "/other.db";
  next.log.level = LogLevel::Debug;
  const auto changes = restartRequiredChanges(running, next);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].key, "storage.path");
  EXPECT_EQ(changes[1].requested, "127.0.0.1:1");
  const Config applied = withRunningRestartKeys(next, running);
  EXPECT_EQ(applied.metrics.listen, running.metrics.listen);
  EXPECT_EQ(applied.storage.path, running.storage.path);
  EXPECT_EQ(applied.log.level, LogLevel::Debug);
}

}  // namespace
}  // namespace ibackupmon

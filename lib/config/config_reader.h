// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Internal to lib/config: reads typed values out of a toml++ table, collecting every error with
/// its file:line:column instead of stopping at the first one.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config_validate.h"
#include "core/duration.h"

namespace ibackupmon {

struct ConfigPosition {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// Collects error lines "PATH:LINE:COLUMN: KEY: expected WHAT, found WHAT".
class Diagnostics {
 public:
  explicit Diagnostics(std::string path) : path_(std::move(path)) {}

  void error(ConfigPosition at, std::string_view key, std::string_view expected,
             std::string_view found);
  /// Records where a key was set, so cross-field checks can point at it.
  void remember(const std::string& key, ConfigPosition at) { positions_[key] = at; }
  std::optional<ConfigPosition> positionOf(const std::string& key) const;
  bool hasErrors() const { return !entries_.empty(); }
  std::size_t errorCount() const { return entries_.size(); }
  /// Errors in file order (a stable sort keeps same-position errors in detection order).
  std::vector<std::string> sortedLines() const;
  const std::string& path() const { return path_; }

 private:
  struct Entry {
    ConfigPosition at;
    std::string line;
  };
  std::string path_;
  std::vector<Entry> entries_;
  std::map<std::string, ConfigPosition> positions_;
};

/// "found" text for a node: "\"5 minutes\"", "integer 300", "a table", ...
std::string describeNode(const toml::node& node);
ConfigPosition positionOf(const toml::source_region& region);

using StringCheck = std::function<CheckResult(std::string_view)>;

/// Reads the keys of one table; keys never read are reported as unknown by finish().
class TableReader {
 public:
  /// `table` may be null (section absent: every value keeps its default). `section` names the
  /// schema section ("alerts.email", "device"); `prefix` is put before keys in messages.
  TableReader(const toml::table* table, std::string section, std::string prefix, Diagnostics& diag);

  void duration(std::string_view key, Duration& out, Duration min, Duration max);
  void integer(std::string_view key, int& out, int min, int max);
  void byteSize(std::string_view key, std::uint64_t& out);
  /// A number (integer or float) from `min` to `max`.
  void number(std::string_view key, double& out, double min, double max);
  void boolean(std::string_view key, bool& out);
  void string(std::string_view key, std::string& out, const StringCheck& check);
  void optionalString(std::string_view key, std::optional<std::string>& out,
                      const StringCheck& check);
  void stringList(std::string_view key, std::vector<std::string>& out, const StringCheck& check);
  /// One of `names`; returns the index chosen, or nullopt when absent or invalid.
  std::optional<std::size_t> choice(std::string_view key,
                                    const std::vector<std::string_view>& names);
  /// A sub-table ([alerts.email]); null when absent or not a table (then an error is recorded).
  const toml::table* table(std::string_view key);
  /// An array of tables ([[device]]); null when absent or of another type.
  const toml::array* arrayOfTables(std::string_view key);
  /// Reports every key of the table that no reader method asked for.
  void finish();

  std::string fullKey(std::string_view key) const { return prefix_ + std::string(key); }

 private:
  const toml::node* find(std::string_view key);
  void typeError(std::string_view key, const toml::node& node, std::string_view expected);
  void reportUnknown(const toml::key& key);

  const toml::table* table_;
  std::string section_;
  std::string prefix_;
  Diagnostics& diag_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace ibackupmon

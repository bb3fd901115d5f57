// SPDX-License-Identifier: Apache-2.0
#include "config/config_reader.h"

#include <sstream>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "config/config_schema.h"

namespace ibackupmon {

namespace {

constexpr std::size_t kMaxShownChars = 60;

// Quotes a value for an error line: control characters escaped so the line stays one line, long
// values cut at a UTF-8 character boundary.
std::string quoteForMessage(std::string_view s) {
  std::size_t cut = std::min(s.size(), kMaxShownChars);
  while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out = "\"";
  for (char c : s.substr(0, cut)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  out += cut < s.size() ? "...\"" : "\"";
  return out;
}

}  // namespace

void Diagnostics::error(ConfigPosition at, std::string_view key, std::string_view expected,
                        std::string_view found) {
  std::string line = path_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                     ": " + std::string(key) + ": expected " + std::string(expected) + ", found " +
                     std::string(found);
  entries_.push_back({at, std::move(line)});
}

std::optional<ConfigPosition> Diagnostics::positionOf(const std::string& key) const {
  auto it = positions_.find(key);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Diagnostics::sortedLines() const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return std::pair(a.at.line, a.at.column) < std::pair(b.at.line, b.at.column);
  });
  std::vector<std::string> lines;
  lines.reserve(sorted.size());
  for (auto& e : sorted) lines.push_back(std::move(e.line));
  return lines;
}

std::string describeNode(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return quoteForMessage(node.as_string()->get());
    case toml::node_type::integer: return "integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date/time";
    default: return "an unknown value";
  }
}

ConfigPosition positionOf(const toml::source_region& region) {
  if (region.begin.line == 0) return {};
  return {region.begin.line, region.begin.column};
}

TableReader::TableReader(const toml::table* table, std::string section, std::string prefix,
                         Diagnostics& diag)
    : table_(table), section_(std::move(section)), prefix_(std::move(prefix)), diag_(diag) {}

const toml::node* TableReader::find(std::string_view key) {
  seen_.emplace(key);
  if (table_ == nullptr) return nullptr;
  const toml::node* node = table_->get(key);
  if (node != nullptr) diag_.remember(fullKey(key), positionOf(node->source()));
  return node;
}

void TableReader::typeError(std::string_view key, const toml::node& node,
                            std::string_view expected) {
  diag_.error(positionOf(node.source()), fullKey(key), expected, describeNode(node));
}

void TableReader::duration(std::string_view key, Duration& out, Duration min, Duration max) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const auto* text = node->as_string();
  const std::string form = "a duration such as \"90s\", \"5m\", \"36h\", \"7d\" or \"1h30m\"";
  if (text == nullptr) return typeError(key, *node, form);
  const auto parsed = parseDuration(text->get());
  if (!parsed) return typeError(key, *node, form);
  if (*parsed < min || *parsed > max) {
    return typeError(key, *node,
                     "a duration from " + formatDuration(min) + " to " + formatDuration(max));
  }
  out = *parsed;
}

void TableReader::integer(std::string_view key, int& out, int min, int max) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const auto* number = node->as_integer();
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (number == nullptr) return typeError(key, *node, range);
  const std::int64_t value = number->get();
  if (value < min || value > max) return typeError(key, *node, range);
  out = static_cast<int>(value);
}

void TableReader::number(std::string_view key, double& out, double min, double max) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  std::ostringstream range;
  range << "a number from " << min << " to " << max;
  std::optional<double> value;
  if (const auto* f = node->as_floating_point()) value = f->get();
  if (const auto* i = node->as_integer()) value = static_cast<double>(i->get());
  // NaN fails both comparisons, so it is refused here too.
  if (!value || !(*value >= min && *value <= max)) return typeError(key, *node, range.str());
  out = *value;
}

void TableReader::byteSize(std::string_view key, std::uint64_t& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const std::string form =
      "a size in bytes: an integer or a string such as \"2GiB\", \"500MB\", \"1048576B\"";
  if (const auto* number = node->as_integer()) {
    if (number->get() < 0) return typeError(key, *node, form);
    out = static_cast<std::uint64_t>(number->get());
    return;
  }
  const auto* text = node->as_string();
  const auto parsed = text != nullptr ? parseByteSize(text->get()) : std::nullopt;
  if (!parsed) return typeError(key, *node, form);
  out = *parsed;
}

void TableReader::boolean(std::string_view key, bool& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const auto* flag = node->as_boolean();
  if (flag == nullptr) return typeError(key, *node, "true or false");
  out = flag->get();
}

void TableReader::string(std::string_view key, std::string& out, const StringCheck& check) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const auto* text = node->as_string();
  if (text == nullptr) return typeError(key, *node, "a string");
  if (auto problem = check(text->get())) return typeError(key, *node, *problem);
  out = text->get();
}

void TableReader::optionalString(std::string_view key, std::optional<std::string>& out,
                                 const StringCheck& check) {
  const std::size_t before = diag_.errorCount();
  std::string value;
  string(key, value, check);
  const bool present = table_ != nullptr && table_->get(key) != nullptr;
  if (present && diag_.errorCount() == before) out = std::move(value);
}

void TableReader::stringList(std::string_view key, std::vector<std::string>& out,
                             const StringCheck& check) {
  const toml::node* node = find(key);
  if (node == nullptr) return;
  const auto* array = node->as_array();
  if (array == nullptr) return typeError(key, *node, "an array of strings");
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string elementKey = std::string(key) + "[" + std::to_string(i) + "]";
    const auto* text = element.as_string();
    if (text == nullptr) {
      typeError(elementKey, element, "a string");
      ok = false;
    } else if (auto problem = check(text->get())) {
      typeError(elementKey, element, *problem);
      ok = false;
    } else {
      values.push_back(text->get());
    }
  }
  if (ok) out = std::move(values);
}

std::optional<std::size_t> TableReader::choice(std::string_view key,
                                               const std::vector<std::string_view>& names) {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  std::string expected = "one of ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    expected += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ");
    expected += "\"" + std::string(names[i]) + "\"";
  }
  const auto* text = node->as_string();
  if (text != nullptr) {
    auto it = std::find(names.begin(), names.end(), std::string_view(text->get()));
    if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  }
  typeError(key, *node, expected);
  return std::nullopt;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return nullptr;
  if (const auto* t = node->as_table()) return t;
  typeError(key, *node, "a table ([" + fullKey(key) + "])");
  return nullptr;
}

const toml::array* TableReader::arrayOfTables(std::string_view key) {
  const toml::node* node = find(key);
  if (node == nullptr) return nullptr;
  if (node->is_array_of_tables() || (node->is_array() && node->as_array()->empty())) {
    return node->as_array();
  }
  typeError(key, *node, "an array of tables ([[" + fullKey(key) + "]])");
  return nullptr;
}

void TableReader::finish() {
  if (table_ == nullptr) return;
  for (auto&& [key, value] : *table_) {
    if (!seen_.contains(key.str())) reportUnknown(key);
  }
}

void TableReader::reportUnknown(const toml::key& key) {
  const auto keys = configSectionKeys(section_);
  const std::string where = section_.empty() ? "the top level" : "[" + section_ + "]";
  std::string expected;
  const std::string_view close = closestMatch(key.str(), keys);
  if (!close.empty()) {
    expected = "a key of " + where + " (did you mean \"" + std::string(close) + "\"?)";
  } else {
    // The right key in the wrong section is a common slip: say where it belongs.
    for (const auto& s : configSchema()) {
      if (s.name == section_ || s.name.empty()) continue;
      if (std::find(s.keys.begin(), s.keys.end(), key.str()) != s.keys.end()) {
        expected = "a key of " + where + " (\"" + std::string(key.str()) + "\" belongs in [" +
                   std::string(s.name) + "])";
        break;
      }
    }
  }
  if (expected.empty()) {
    expected = "one of ";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      expected += (i == 0 ? "" : ", ") + std::string(keys[i]);
    }
  }
  diag_.error(positionOf(key.source()), fullKey(key.str()), expected,
              "unknown key " + quoteForMessage(key.str()));
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The list of every key the configuration file accepts, by section: the one source for unknown-key
/// detection, "did you mean" suggestions and the tests that check the example file and the docs.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ibackupmon {

struct ConfigSection {
  std::string_view name;  ///< "" for the top level, "alerts.email", "device" (for [[device]])
  std::vector<std::string_view> keys;
};

/// Every section with its keys, in the order the docs and --print-config use.
std::span<const ConfigSection> configSchema();

/// The keys of one section (empty when the section does not exist).
std::span<const std::string_view> configSectionKeys(std::string_view section);

/// Every leaf key as "section.key" ("device.udid" for [[device]] entries).
std::vector<std::string> allConfigKeys();

/// The candidate closest to `typed` by edit distance, or "" when none is close enough to suggest.
std::string_view closestMatch(std::string_view typed, std::span<const std::string_view> candidates);

}  // namespace ibackupmon

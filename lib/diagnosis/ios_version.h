// SPDX-License-Identifier: Apache-2.0
#pragma once
/// iOS version strings ("17.5.1", "18") parsed and compared; junk is "unknown", never a crash.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ibackupmon {

/// A dotted numeric version. Trailing zero components are dropped, so "18" == "18.0" == "18.0.0".
struct IosVersion {
  std::vector<int> parts;
  auto operator<=>(const IosVersion&) const = default;
};

/// Parses 1 to 4 dot-separated groups of 1 to 6 digits, surrounding whitespace allowed.
/// Anything else ("", "18.", "18..1", "18.1 beta", "-1", "１８") gives nullopt.
std::optional<IosVersion> parseIosVersion(std::string_view text);

/// -1, 0 or 1 as a is older than, equal to or newer than b; nullopt when either is unparsable.
std::optional<int> compareIosVersions(std::string_view a, std::string_view b);

/// Canonical text ("18.0" for "18", "17.5.1" for "17.05.1"): at least two components.
std::string formatIosVersion(const IosVersion& v);

}  // namespace ibackupmon

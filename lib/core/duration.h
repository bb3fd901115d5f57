// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Durations as admins write them: "90s", "5m", "36h", "7d", combinable ("1h30m").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ibackupmon {

using Duration = std::chrono::seconds;

/// Parses "<number><unit>" groups with units s, m, h, d. Returns nullopt on anything else
/// (empty, negative, missing unit, overflow).
std::optional<Duration> parseDuration(std::string_view text);

/// Shortest canonical form that parseDuration accepts back: 5400s -> "1h30m", 0 -> "0s".
std::string formatDuration(Duration d);

/// Human age for emails and tables: "9d 4h", "3h 12m", "45s".
std::string formatAge(Duration d);

}  // namespace ibackupmon

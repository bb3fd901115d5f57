// SPDX-License-Identifier: Apache-2.0
#include "core/duration.h"

#include <cstdint>
#include <limits>

namespace ibackupmon {

std::optional<Duration> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > kMax) return std::nullopt;
      ++i;
      ++digits;
    }
    if (digits == 0 || i >= text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    ++i;
    if (number > kMax / unit) return std::nullopt;
    total += number * unit;
    if (total > kMax) return std::nullopt;
  }
  return Duration{total};
}

std::string formatDuration(Duration d) {
  std::int64_t s = d.count();
  if (s <= 0) return "0s";
  std::string out;
  const std::pair<std::int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (auto [size, suffix] : units) {
    if (s >= size) {
      out += std::to_string(s / size);
      out += suffix;
      s %= size;
    }
  }
  return out;
}

std::string formatAge(Duration d) {
  std::int64_t s = d.count();
  if (s < 0) s = 0;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string((s % 3600) / 60) + "m";
  return std::to_string(s / 86400) + "d " + std::to_string((s % 86400) / 3600) + "h";
}

}  // namespace ibackupmon

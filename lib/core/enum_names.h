// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Names for enums numbered 0, 1, 2, ... in declaration order: one table of names in that order
/// serves both toString() and parsing.
///
///   inline constexpr std::array<const char*, 3> kStartTlsNames{"required", "optional", "never"};
///   const char* toString(StartTls s) { return enumName(kStartTlsNames, s, "optional"); }

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace ibackupmon {

/// The name of `value`, or `other` for a value outside the table.
template <class E, std::size_t N>
constexpr const char* enumName(const std::array<const char*, N>& names, E value,
                               const char* other) {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : other;
}

/// The value named `name`; nullopt when no value has that name.
template <class E, std::size_t N>
constexpr std::optional<E> enumFromName(const std::array<const char*, N>& names,
                                        std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace ibackupmon

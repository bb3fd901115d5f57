// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Device strings are hostile: every string a device returns passes through sanitizeDeviceString
/// at the lib/device boundary before anything else sees it.

#include <cstddef>
#include <string>
#include <string_view>

namespace ibackupmon {

inline constexpr std::size_t kMaxDeviceStringBytes = 256;

/// Valid UTF-8 out (invalid sequences become U+FFFD), C0/C1 controls and DEL removed (CR/LF/TAB
/// and NUL included), invisible format characters removed (bidi embeddings, overrides and
/// isolates, LRM/RLM, ALM, zero-width space, BOM, word joiners, tags: Unicode category Cf except
/// ZWNJ/ZWJ), surrounding whitespace trimmed, capped at max_bytes without splitting a character.
std::string sanitizeDeviceString(std::string_view raw,
                                 std::size_t max_bytes = kMaxDeviceStringBytes);

/// True when text is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view text);

}  // namespace ibackupmon

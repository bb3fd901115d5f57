// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Base64 (RFC 4648, the standard alphabet with '=' padding): MIME encoded-words and HTTP basic
/// authentication.

#include <optional>
#include <string>
#include <string_view>

namespace ibackupmon {

/// Padded to a multiple of four characters.
std::string base64Encode(std::string_view bytes);
/// Trailing '=' are ignored, and bits left over after the last whole byte; nullopt when a
/// character outside the alphabet appears.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace ibackupmon

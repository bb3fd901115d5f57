// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Cell helpers for terminal tables and CSV: device strings are hostile (escape sequences,
/// CR/LF, invalid UTF-8, megabytes), so every cell is cleaned before it is printed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace ibackupmon {

/// Printable for a terminal: valid UTF-8, no control characters, at most max_chars code points
/// (an ellipsis marks a cut).
std::string terminalCell(std::string_view text, std::size_t max_chars);
/// Display width in code points (what the table pads by).
std::size_t displayWidth(std::string_view utf8);
/// Left-aligned to width code points.
std::string padRight(const std::string& cell, std::size_t width);

/// One RFC 4180 field: quoted when it holds , " CR or LF (quotes doubled); a cell starting with
/// = + - @ TAB or CR gets a leading ' so spreadsheets do not run it as a formula.
std::string csvField(std::string_view text);

/// "9d 4h" for a past time, "never" for nullopt.
std::string ageOrNever(const std::optional<TimePoint>& t, TimePoint now);
/// "…" + the last 8 characters of a long UDID.
std::string shortUdid(const std::string& udid);

}  // namespace ibackupmon

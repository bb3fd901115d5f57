// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure checks for configuration values. Each check returns nullopt when the value is fine, else
/// the "expected ..." phrase for the error line (without the word "expected").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ibackupmon {

using CheckResult = std::optional<std::string>;

/// "HOST:PORT" with a numeric IPv4 host or a bracketed IPv6 host: "0.0.0.0:9847", "[::1]:0".
CheckResult checkListenAddress(std::string_view value);
/// A URL whose scheme is one of `schemes` (e.g. "http,https") with something after "://".
CheckResult checkUrl(std::string_view value, std::string_view schemes);
/// "user@domain" without spaces, angle brackets or other characters that need quoting in headers.
CheckResult checkEmailAddress(std::string_view value);
/// A device UDID: letters, digits and '-', 1..64 characters.
CheckResult checkUdid(std::string_view value);
/// "17", "17.0" or "16.7.2".
CheckResult checkVersion(std::string_view value);
/// An absolute path short enough for a UNIX socket address (107 bytes).
CheckResult checkSocketPath(std::string_view value);
/// Any text without control characters (CR/LF would break log lines and email headers).
CheckResult checkPlainText(std::string_view value);
/// checkPlainText and not empty.
CheckResult checkNonEmptyText(std::string_view value);
/// An absolute directory path without "." or ".." components, other than "/" itself: a folder the
/// daemon creates and deletes beneath.
CheckResult checkDataDirectory(std::string_view value);

/// The full path of the first executable file called `name` in `searchPath` (colon-separated, as
/// PATH; an empty entry is the working directory), or nullopt when there is none.
std::optional<std::string> findProgram(std::string_view name, std::string_view searchPath);
/// The PATH of this process, or the default search path of execvp() when PATH is unset.
std::string programSearchPath();

/// "2GiB", "500MB", "1048576" or "1048576B": units B, kB/KB, MB, GB, TB (powers of 1000) and
/// KiB, MiB, GiB, TiB (powers of 1024). Nullopt on anything else or on overflow.
std::optional<std::uint64_t> parseByteSize(std::string_view text);
/// The form parseByteSize accepts back: whole GiB/MiB/KiB when exact, else plain bytes ("123B").
std::string formatByteSize(std::uint64_t bytes);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Encoders that keep hostile text (device names, evidence) from injecting email headers or
/// markup: RFC 2047 header words, quoted-printable bodies (dot-safe), HTML escaping.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace ibackupmon {

/// Removes CR, LF and other control characters (header values must stay on one logical line).
std::string stripControls(std::string_view text);

/// At most max_bytes of valid UTF-8, cut on a character boundary, "…" appended when cut.
std::string truncateUtf8(std::string_view text, std::size_t max_bytes);
/// A device-supplied string as mails and Alertmanager show it: controls stripped, then cut to
/// max_bytes (never inside a UTF-8 sequence).
std::string cleanDeviceText(std::string_view text, std::size_t max_bytes);

/// A complete "Name: value" header line set, folded at 78 columns with CRLF SP. Values with
/// anything but printable ASCII (or an "=?") become RFC 2047 UTF-8 B encoded-words.
std::string encodeHeader(std::string_view name, std::string_view value);

/// Quoted-printable (RFC 2045) with CRLF line ends; a line never starts with "." (=2E), so the
/// body is safe through SMTP's end-of-data marker whatever the transport does.
std::string quotedPrintable(std::string_view text);

/// Escapes & < > " ' for HTML text and attribute values.
std::string htmlEscape(std::string_view text);

/// Percent-encodes everything but unreserved URL characters (RFC 3986).
std::string urlEncode(std::string_view text);

/// "Tue, 24 Nov 2026 00:45:23 +0000" (RFC 5322 date-time, UTC).
std::string rfc5322Date(TimePoint t);

/// A unique "<unix.random@host>" Message-ID; host reduced to [A-Za-z0-9.-].
std::string makeMessageId(std::string_view host, TimePoint now);

/// Bare address of "Name <a@b>" or "a@b", controls stripped.
std::string bareAddress(std::string_view mailbox);

}  // namespace ibackupmon

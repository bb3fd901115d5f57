// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Text helpers shared by the feed parsers (Apple status, iOS catalog): JSON/JSONP framing with
/// clear errors, HTML entity decoding, and short descriptions of JSON values for messages.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"

namespace ibackupmon {

/// Parses a feed body: UTF-8 BOM and whitespace trimmed, a JSONP wrapper `name(...);` stripped.
/// Error codes are "<feed>_too_large", "<feed>_html" (an HTML page: a captive portal, proxy or
/// error page, title quoted) and "<feed>_json" (empty, not JSON, malformed: with the offset).
/// `label` starts each message ("Apple status feed").
Expected<nlohmann::json> parseFeedJson(std::string_view body, std::size_t maxBytes,
                                       const std::string& feed, const std::string& label);

/// Decodes HTML character references (&amp; &lt; &gt; &quot; &apos; &#39; &#x27; &nbsp; ...).
/// Unknown or malformed references are kept as written.
std::string unescapeHtml(std::string_view text);

/// Matching key for service names: ASCII case folded, runs of whitespace (and no-break spaces)
/// collapsed to one space, trimmed.
std::string normalizeName(std::string_view text);

std::string asciiLower(std::string_view text);

/// "string \"abc\"", "number 12", "null", "an object", ... capped for one-line messages.
std::string describeJson(const nlohmann::json& value);

/// The first few keys of an object, comma separated, for "found keys: ..." messages.
std::string describeKeys(const nlohmann::json& object);

}  // namespace ibackupmon

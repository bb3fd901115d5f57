// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Apple System Status feed: a pure parser (parseAppleStatus) and its fetcher. The feed is bare
/// JSON or JSONP (`jsonCallback({...});`); see docs/feeds.md for the format and the failure
/// shapes, each of which is an error, never "all green".

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "alert/apple_status_report.h"
#include "alert/http_client.h"
#include "config/config.h"
#include "core/error.h"

namespace ibackupmon {

/// Inputs larger than this are refused before parsing (the real feed is ~100 KB).
inline constexpr std::size_t kMaxAppleStatusBytes = 8u << 20;

/// Parses the feed body. Error codes: "apple_status_html" (an HTML page), "apple_status_json"
/// (not JSON/JSONP, or malformed), "apple_status_old_format" (the retired dashboard/
/// detailedTimeline layout), "apple_status_shape" (unexpected structure, naming where),
/// "apple_status_too_large". A watched service absent from the feed is not an error here: it
/// is listed in report.missingServices and the poller counts it as a feed error.
Expected<AppleStatusReport> parseAppleStatus(std::string_view body,
                                             const std::vector<std::string>& watched,
                                             TimePoint now);

/// GET config.url and parse it. Non-200 replies are "http_status" errors; transport errors keep
/// the HTTP client's codes. Runs on a worker thread.
Expected<AppleStatusReport> fetchAppleStatus(HttpClient& http, const AppleStatusConfig& config,
                                             TimePoint now,
                                             const std::atomic<bool>* cancel = nullptr);

}  // namespace ibackupmon

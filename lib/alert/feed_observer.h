// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Seam between the feed pollers (lib/app) and their consumers (metrics, diagnosis, emails).
/// Called on the app's strand; implementations must not block.
///
///   class FeedMetrics final : public FeedObserver {
///     void onFeedSuccess(std::string_view feed, TimePoint at) override { /* set gauge */ }
///     void onFeedError(std::string_view feed, const Error& e) override { /* ++counter */ }
///   };

#include <string_view>

#include "alert/apple_status_report.h"
#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

/// Feed names, used as the `feed` label value.
inline constexpr std::string_view kFeedAppleStatus = "apple_status";
inline constexpr std::string_view kFeedIosCatalog = "ios_catalog";

class FeedObserver {
 public:
  virtual ~FeedObserver() = default;
  /// A fetch and parse succeeded completely (ibackupmon_feed_last_success_timestamp_seconds).
  virtual void onFeedSuccess(std::string_view feed, TimePoint at) = 0;
  /// A fetch failed, or its content was wrong or incomplete (ibackupmon_feed_errors_total).
  virtual void onFeedError(std::string_view feed, const Error& error) = 0;
  /// A new Apple status report (also after a partial success with missing services).
  /// Set ibackupmon_apple_service_active_events{service} for report.services and remove the
  /// series of report.missingServices (absent = unknown, never 0).
  virtual void onAppleStatus(const AppleStatusReport& /*report*/) {}
};

}  // namespace ibackupmon

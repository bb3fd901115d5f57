// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Seam between the alert engine (lib/app) and the metrics exporter (lib/metrics): the engine
/// reports what happened, lib/metrics turns it into the ibackupmon_alert*/feed* families.
/// Feed pollers may report through alert/feed_observer.h instead; MetricsExporter implements both.
/// Implementations are thread-safe and never block for long: call them from any thread.
///
///   class CountingAlertMetrics final : public AlertMetrics {
///     void alertSent(std::string_view channel) override { ++sent; }
///     ...
///   };

#include <cstddef>
#include <string_view>

#include "alert/feed_observer.h"  // kFeedAppleStatus, kFeedIosCatalog (the `feed` label values)
#include "core/clock.h"

namespace ibackupmon {

/// Channel names used as the `channel` label: keep them stable, they are public API.
inline constexpr std::string_view kAlertChannelEmail = "email";
inline constexpr std::string_view kAlertChannelAlertmanager = "alertmanager";

class AlertMetrics {
 public:
  virtual ~AlertMetrics() = default;
  /// One alert (email or Alertmanager post) delivered: ibackupmon_alerts_sent_total{channel}.
  virtual void alertSent(std::string_view channel) = 0;
  /// One delivery attempt failed (it stays in the outbox): ibackupmon_alerts_failed_total{channel}.
  virtual void alertFailed(std::string_view channel) = 0;
  /// Undelivered alerts in the durable outbox: ibackupmon_alert_outbox_depth.
  virtual void setOutboxDepth(std::size_t depth) = 0;
  /// Ongoing Apple System Status events for one watched service (0 when none).
  virtual void setAppleServiceActiveEvents(std::string_view service, std::size_t events) = 0;
  /// A feed was fetched and parsed: ibackupmon_feed_last_success_timestamp_seconds{feed}.
  virtual void feedSucceeded(std::string_view feed, TimePoint at) = 0;
  /// A fetch failed, or the reply had an unknown shape: ibackupmon_feed_errors_total{feed}.
  virtual void feedFailed(std::string_view feed) = 0;
};

/// Discards everything: for a daemon without metrics and for tests that do not look at them.
class NullAlertMetrics final : public AlertMetrics {
 public:
  void alertSent(std::string_view) override {}
  void alertFailed(std::string_view) override {}
  void setOutboxDepth(std::size_t) override {}
  void setAppleServiceActiveEvents(std::string_view, std::size_t) override {}
  void feedSucceeded(std::string_view, TimePoint) override {}
  void feedFailed(std::string_view) override {}
};

}  // namespace ibackupmon

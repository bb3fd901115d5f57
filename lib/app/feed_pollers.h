// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The two outside feeds as pollers: Apple System Status ([apple_status]) and the iOS version
/// catalog ([ios] catalog_url). Both keep the last good result with its time; callers read it
/// on the strand. A disabled feed (empty URL) never starts and reads as "unknown".

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/apple_status.h"
#include "alert/http_client.h"
#include "alert/ios_catalog.h"
#include "app/feed_poller.h"
#include "config/config.h"

namespace ibackupmon {

class AppleStatusPoller {
 public:
  AppleStatusPoller(boost::asio::any_io_executor strand, HttpClient& http, AppleStatusConfig config,
                    const Clock& clock, std::vector<FeedObserver*> observers,
                    std::shared_ptr<spdlog::logger> logger = spdlog::default_logger(),
                    std::optional<FeedSchedule> schedule = std::nullopt);

  bool enabled() const { return !config_.url.empty(); }
  void start();
  void stop() { poller_.stop(); }

  /// The last report, or nullptr when none arrived or it is older than maxAge() (a feed that
  /// stopped answering says nothing about now).
  std::shared_ptr<const AppleStatusReport> current(TimePoint now) const;
  /// Three intervals, at least 30 minutes.
  std::chrono::seconds maxAge() const;
  const FeedPoller& poller() const { return poller_; }

 private:
  AppleStatusConfig config_;
  std::shared_ptr<const AppleStatusReport> latest_;
  std::vector<FeedObserver*> observers_;
  FeedPoller poller_;
};

class IosCatalogPoller {
 public:
  IosCatalogPoller(boost::asio::any_io_executor strand, HttpClient& http, IosConfig config,
                   const Clock& clock, std::vector<FeedObserver*> observers,
                   std::shared_ptr<spdlog::logger> logger = spdlog::default_logger(),
                   std::optional<FeedSchedule> schedule = std::nullopt);

  bool enabled() const { return config_.catalogUrl && !config_.catalogUrl->empty(); }
  void start();
  void stop() { poller_.stop(); }

  /// The last good catalog (kept however old: versions only get newer), or nullptr.
  std::shared_ptr<const IosCatalog> current() const { return latest_; }
  /// Newest version offered for productType per the last good catalog; nullopt when the
  /// catalog is off, unreachable so far, or does not list the model. The diagnosis then still
  /// applies [ios] minimum_version as well.
  std::optional<std::string> newestFor(const std::optional<std::string>& productType,
                                       TimePoint now) const;
  const FeedPoller& poller() const { return poller_; }

 private:
  IosConfig config_;
  std::shared_ptr<const IosCatalog> latest_;
  FeedPoller poller_;
};

/// Default schedules: the configured interval, first retry after min(30 s, interval), doubling
/// up to min(1 h, interval).
FeedSchedule feedScheduleFor(Duration interval);

}  // namespace ibackupmon

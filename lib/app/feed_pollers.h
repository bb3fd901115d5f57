// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The two outside feeds as pollers: Apple System Status ([apple_status]) and the iOS version
/// catalog ([ios] catalog_url). Both keep the last good result with its time; callers read it
/// on the strand. A disabled feed (empty URL) never starts and reads as "unknown".

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/apple_status.h"
#include "alert/http_client.h"
#include "alert/ios_catalog.h"
#include "app/feed_poller.h"
#include "config/config.h"

namespace ibackupmon {

/// What both pollers share: a FeedPoller whose fetch yields a T, and the last good T it committed.
template <class T>
class LatestFeed {
 public:
  bool enabled() const { return enabled_; }
  void start() {
    if (enabled_) poller_.start();
  }
  void stop() { poller_.stop(); }
  const FeedPoller& poller() const { return poller_; }

 protected:
  using Fetch = std::function<Expected<T>(const std::atomic<bool>& cancel)>;
  /// What is wrong with a result that is kept all the same (nullopt: nothing).
  using Check = std::function<std::optional<Error>(const T&)>;
  /// Runs on the strand with each result kept.
  using Keep = std::function<void(const T&)>;

  LatestFeed(boost::asio::any_io_executor strand, std::string_view feed, bool enabled,
             FeedSchedule schedule, Fetch fetch, Check check, Keep keep,
             std::vector<FeedObserver*> observers, const Clock& clock,
             std::shared_ptr<spdlog::logger> logger)
      : enabled_(enabled),
        poller_(
            std::move(strand), std::string(feed), schedule,
            [this, fetch = std::move(fetch), check = std::move(check),
             keep = std::move(keep)](const std::atomic<bool>& cancel) {
              FeedOutcome out;
              auto result = fetch(cancel);
              if (!result) {
                out.problem = result.error();
                return out;
              }
              if (check) out.problem = check(*result);
              auto shared = std::make_shared<const T>(std::move(*result));
              out.commit = [this, keep, shared] {
                latest_ = shared;
                if (keep) keep(*shared);
              };
              return out;
            },
            std::move(observers), clock, std::move(logger)) {}

  std::shared_ptr<const T> latest_;

 private:
  bool enabled_;
  FeedPoller poller_;
};

class AppleStatusPoller : public LatestFeed<AppleStatusReport> {
 public:
  AppleStatusPoller(boost::asio::any_io_executor strand, HttpClient& http, AppleStatusConfig config,
                    const Clock& clock, std::vector<FeedObserver*> observers,
                    std::shared_ptr<spdlog::logger> logger = spdlog::default_logger(),
                    std::optional<FeedSchedule> schedule = std::nullopt);

  /// The last report, or nullptr when none arrived or it is older than maxAge() (a feed that
  /// stopped answering says nothing about now).
  std::shared_ptr<const AppleStatusReport> current(TimePoint now) const;
  /// Three intervals, at least 30 minutes.
  std::chrono::seconds maxAge() const;

 private:
  Duration interval_;
};

class IosCatalogPoller : public LatestFeed<IosCatalog> {
 public:
  IosCatalogPoller(boost::asio::any_io_executor strand, HttpClient& http, IosConfig config,
                   const Clock& clock, std::vector<FeedObserver*> observers,
                   std::shared_ptr<spdlog::logger> logger = spdlog::default_logger(),
                   std::optional<FeedSchedule> schedule = std::nullopt);

  /// The last good catalog (kept however old: versions only get newer), or nullptr.
  std::shared_ptr<const IosCatalog> current() const { return latest_; }
  /// Newest version offered for productType per the last good catalog; nullopt when the
  /// catalog is off, unreachable so far, or does not list the model. The diagnosis then still
  /// applies [ios] minimum_version as well.
  std::optional<std::string> newestFor(const std::optional<std::string>& productType,
                                       TimePoint now) const;
};

/// Default schedules: the configured interval, first retry after min(30 s, interval), doubling
/// up to min(1 h, interval).
FeedSchedule feedScheduleFor(Duration interval);

}  // namespace ibackupmon

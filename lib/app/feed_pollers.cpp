// SPDX-License-Identifier: Apache-2.0
#include "app/feed_pollers.h"

#include <algorithm>

namespace ibackupmon {

FeedSchedule feedScheduleFor(Duration interval) {
  FeedSchedule s;
  s.interval = std::max<std::chrono::milliseconds>(interval, std::chrono::seconds(1));
  s.firstRetry = std::min<std::chrono::milliseconds>(std::chrono::seconds(30), s.interval);
  s.maxRetry = std::min<std::chrono::milliseconds>(std::chrono::hours(1), s.interval);
  return s;
}

AppleStatusPoller::AppleStatusPoller(boost::asio::any_io_executor strand, HttpClient& http,
                                     AppleStatusConfig config, const Clock& clock,
                                     std::vector<FeedObserver*> observers,
                                     std::shared_ptr<spdlog::logger> logger,
                                     std::optional<FeedSchedule> schedule)
    : LatestFeed(
          std::move(strand), kFeedAppleStatus, !config.url.empty(),
          schedule.value_or(feedScheduleFor(config.interval)),
          [&http, &clock, config](const std::atomic<bool>& cancel) {
            return fetchAppleStatus(http, config, clock.now(), &cancel);
          },
          [](const AppleStatusReport& report) -> std::optional<Error> {
            if (report.complete()) return std::nullopt;
            std::string names;
            for (const auto& n : report.missingServices) {
              names += (names.empty() ? "\"" : ", \"") + n + "\"";
            }
            return Error{"apple_status_missing_service",
                         "Apple status feed: watched service(s) " + names +
                             " not in the feed; check [apple_status] services"};
          },
          [observers](const AppleStatusReport& report) {
            for (auto* o : observers) o->onAppleStatus(report);
          },
          observers, clock, std::move(logger)),
      interval_(config.interval) {}

std::chrono::seconds AppleStatusPoller::maxAge() const {
  return std::max<std::chrono::seconds>(interval_ * 3, std::chrono::minutes(30));
}

std::shared_ptr<const AppleStatusReport> AppleStatusPoller::current(TimePoint now) const {
  if (!latest_ || now - latest_->fetchedAt > maxAge()) return nullptr;
  return latest_;
}

IosCatalogPoller::IosCatalogPoller(boost::asio::any_io_executor strand, HttpClient& http,
                                   IosConfig config, const Clock& clock,
                                   std::vector<FeedObserver*> observers,
                                   std::shared_ptr<spdlog::logger> logger,
                                   std::optional<FeedSchedule> schedule)
    : LatestFeed(
          std::move(strand), kFeedIosCatalog, config.catalogUrl && !config.catalogUrl->empty(),
          schedule.value_or(feedScheduleFor(config.catalogInterval)),
          [&http, config](const std::atomic<bool>& cancel) {
            return fetchIosCatalog(http, config, &cancel);
          },
          nullptr, nullptr, std::move(observers), clock, std::move(logger)) {}

std::optional<std::string> IosCatalogPoller::newestFor(
    const std::optional<std::string>& productType, TimePoint now) const {
  if (!latest_ || !productType) return std::nullopt;
  const auto release = latest_->newestFor(*productType, now);
  if (!release) return std::nullopt;
  return release->version;
}

}  // namespace ibackupmon

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
    : config_(std::move(config)),
      observers_(observers),
      poller_(
          std::move(strand), std::string(kFeedAppleStatus),
          schedule.value_or(feedScheduleFor(config_.interval)),
          [this, &http, &clock, cfg = config_](const std::atomic<bool>& cancel) {
            FeedOutcome out;
            auto report = fetchAppleStatus(http, cfg, clock.now(), &cancel);
            if (!report) {
              out.problem = report.error();
              return out;
            }
            if (!report->complete()) {
              std::string names;
              for (const auto& n : report->missingServices) {
                names += (names.empty() ? "\"" : ", \"") + n + "\"";
              }
              out.problem = Error{"apple_status_missing_service",
                                  "Apple status feed: watched service(s) " + names +
                                      " not in the feed; check [apple_status] services"};
            }
            auto shared = std::make_shared<const AppleStatusReport>(std::move(*report));
            out.commit = [this, shared] {
              latest_ = shared;
              for (auto* o : observers_) o->onAppleStatus(*shared);
            };
            return out;
          },
          std::move(observers), clock, std::move(logger)) {}

void AppleStatusPoller::start() {
  if (enabled()) poller_.start();
}

std::chrono::seconds AppleStatusPoller::maxAge() const {
  return std::max<std::chrono::seconds>(config_.interval * 3, std::chrono::minutes(30));
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
    : config_(std::move(config)),
      poller_(
          std::move(strand), std::string(kFeedIosCatalog),
          schedule.value_or(feedScheduleFor(config_.catalogInterval)),
          [this, &http, cfg = config_](const std::atomic<bool>& cancel) {
            FeedOutcome out;
            auto catalog = fetchIosCatalog(http, cfg, &cancel);
            if (!catalog) {
              out.problem = catalog.error();
              return out;
            }
            auto shared = std::make_shared<const IosCatalog>(std::move(*catalog));
            out.commit = [this, shared] { latest_ = shared; };
            return out;
          },
          std::move(observers), clock, std::move(logger)) {}

void IosCatalogPoller::start() {
  if (enabled()) poller_.start();
}

std::optional<std::string> IosCatalogPoller::newestFor(
    const std::optional<std::string>& productType, TimePoint now) const {
  if (!latest_ || !productType) return std::nullopt;
  const auto release = latest_->newestFor(*productType, now);
  if (!release) return std::nullopt;
  return release->version;
}

}  // namespace ibackupmon

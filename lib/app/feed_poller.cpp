// SPDX-License-Identifier: Apache-2.0
#include "app/feed_poller.h"

#include <algorithm>

namespace ibackupmon {

std::chrono::milliseconds nextFetchDelay(const FeedSchedule& s, std::uint64_t failures) {
  if (failures == 0) return s.interval;
  const auto cap = std::min(s.maxRetry, s.interval);
  auto delay = std::min(s.firstRetry, cap);
  for (std::uint64_t i = 1; i < failures && delay < cap; ++i) delay = std::min(delay * 2, cap);
  return delay;
}

FeedPoller::FeedPoller(boost::asio::any_io_executor strand, std::string feed, FeedSchedule schedule,
                       Fetch fetch, std::vector<FeedObserver*> observers, const Clock& clock,
                       std::shared_ptr<spdlog::logger> logger)
    : strand_(std::move(strand)),
      feed_(std::move(feed)),
      schedule_(schedule),
      fetch_(std::move(fetch)),
      observers_(std::move(observers)),
      clock_(clock),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      timer_(strand_),
      log_(feed_, schedule.logEvery) {}

FeedPoller::~FeedPoller() {
  stop();
}

void FeedPoller::start() {
  if (running_ || stopped_) return;
  running_ = true;
  launch();
}

void FeedPoller::stop() {
  if (stopped_) return;
  running_ = false;
  stopped_ = true;
  cancel_ = true;
  timer_.cancel();
  worker_.join();  // the fetch sees cancel_ and returns; its posted result finds alive_ reset
  alive_ = std::make_shared<int>(0);
}

void FeedPoller::scheduleIn(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || !running_) return;
    launch();
  });
}

void FeedPoller::launch() {
  ++fetches_;
  boost::asio::post(worker_, [this, alive = std::weak_ptr<int>(alive_)] {
    FeedOutcome outcome = fetch_(cancel_);
    boost::asio::post(strand_, [this, alive, o = std::move(outcome)]() mutable {
      if (alive.expired() || !running_) return;
      finish(std::move(o));
    });
  });
}

void FeedPoller::finish(FeedOutcome outcome) {
  const TimePoint now = clock_.now();
  if (outcome.commit) outcome.commit();
  if (outcome.problem) {
    lastError_ = outcome.problem;
    if (auto line = log_.onFailure(*outcome.problem, now)) logger_->warn("{}", *line);
    for (auto* o : observers_) o->onFeedError(feed_, *outcome.problem);
  } else {
    lastError_.reset();
    lastSuccess_ = now;
    if (auto line = log_.onSuccess(now)) logger_->info("{}", *line);
    for (auto* o : observers_) o->onFeedSuccess(feed_, now);
  }
  // Data that arrived but was incomplete is retried on the normal interval, not hammered.
  const std::uint64_t failures =
      outcome.problem && !outcome.commit ? log_.consecutiveFailures() : 0;
  scheduleIn(nextFetchDelay(schedule_, failures));
}

}  // namespace ibackupmon

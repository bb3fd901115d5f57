// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Polls one outside feed: the blocking fetch runs on the poller's own worker thread, its result
/// is committed on the app's strand, failures back off (doubling from `firstRetry` up to
/// `maxRetry`), and observers hear of every success and error. Construct, start, stop and
/// destroy it on the strand (or while the io_context is not running).
///
///   FeedPoller p(strand, "apple_status", {.interval = 5min}, fetch, observers, clock);
///   p.start();  // first fetch at once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "alert/feed_observer.h"
#include "app/asio.h"
#include "app/feed_poller_log.h"
#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

struct FeedSchedule {
  std::chrono::milliseconds interval{std::chrono::minutes(5)};
  std::chrono::milliseconds firstRetry{std::chrono::seconds(30)};  ///< after the 1st failure
  std::chrono::milliseconds maxRetry{std::chrono::hours(1)};       ///< never longer than interval
  std::chrono::seconds logEvery{std::chrono::hours(1)};  ///< repeat of an unchanged failure
};

/// Delay before the next fetch after `failures` consecutive failures (0 = the interval).
std::chrono::milliseconds nextFetchDelay(const FeedSchedule& s, std::uint64_t failures);

/// What one fetch produced, built on the worker thread.
struct FeedOutcome {
  std::function<void()> commit;  ///< run on the strand: store new data (may be empty)
  std::optional<Error> problem;  ///< the fetch failed, or its data was incomplete
};

class FeedPoller {
 public:
  using Fetch = std::function<FeedOutcome(const std::atomic<bool>& cancel)>;

  FeedPoller(boost::asio::any_io_executor strand, std::string feed, FeedSchedule schedule,
             Fetch fetch, std::vector<FeedObserver*> observers, const Clock& clock,
             std::shared_ptr<spdlog::logger> logger = spdlog::default_logger());
  ~FeedPoller();
  FeedPoller(const FeedPoller&) = delete;
  FeedPoller& operator=(const FeedPoller&) = delete;

  void start();  ///< first fetch at once; no-op once stopped
  /// Final: cancels the timer, aborts a transfer in progress and joins the worker (bounded by the
  /// HTTP client's cancel check, well under a second).
  void stop();

  const std::string& feed() const { return feed_; }
  std::optional<TimePoint> lastSuccess() const { return lastSuccess_; }
  std::optional<Error> lastError() const { return lastError_; }
  std::uint64_t fetches() const { return fetches_; }
  std::uint64_t consecutiveFailures() const { return log_.consecutiveFailures(); }

 private:
  void scheduleIn(std::chrono::milliseconds delay);
  void launch();
  void finish(FeedOutcome outcome);

  boost::asio::any_io_executor strand_;
  std::string feed_;
  FeedSchedule schedule_;
  Fetch fetch_;
  std::vector<FeedObserver*> observers_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> logger_;
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool worker_{1};
  std::atomic<bool> cancel_{false};
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< handlers check it after stop
  bool running_ = false;
  bool stopped_ = false;  ///< the worker is joined and cannot run again
  FeedFailureLog log_;
  std::optional<TimePoint> lastSuccess_;
  std::optional<Error> lastError_;
  std::uint64_t fetches_ = 0;
};

}  // namespace ibackupmon

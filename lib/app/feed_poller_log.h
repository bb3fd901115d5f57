// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Rate limit for a feed's failure log lines: the first failure and every change of cause are
/// logged at once, a failure that goes on is repeated at most once per `every`, and recovery is
/// logged once. Pure (time passed in), so it is tested without waiting.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

class FeedFailureLog {
 public:
  explicit FeedFailureLog(std::string feed, std::chrono::seconds every = std::chrono::hours(1))
      : feed_(std::move(feed)), every_(every) {}

  /// The line to log for this failure, or nullopt when it is suppressed.
  std::optional<std::string> onFailure(const Error& error, TimePoint now);
  /// The line to log when a fetch succeeds after failures, else nullopt.
  std::optional<std::string> onSuccess(TimePoint now);

  std::uint64_t consecutiveFailures() const { return failures_; }

 private:
  std::string feed_;
  std::chrono::seconds every_;
  std::uint64_t failures_ = 0;
  std::uint64_t suppressed_ = 0;
  std::string lastCode_;
  std::optional<TimePoint> firstFailure_;
  std::optional<TimePoint> lastLogged_;
};

}  // namespace ibackupmon

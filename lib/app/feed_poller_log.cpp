// SPDX-License-Identifier: Apache-2.0
#include "app/feed_poller_log.h"

#include "core/duration.h"
#include "core/time_format.h"

namespace ibackupmon {

std::optional<std::string> FeedFailureLog::onFailure(const Error& error, TimePoint now) {
  ++failures_;
  if (!firstFailure_) firstFailure_ = now;
  const bool changed = error.code != lastCode_;
  const bool due = !lastLogged_ || now - *lastLogged_ >= every_;
  lastCode_ = error.code;
  if (!changed && !due) {
    ++suppressed_;
    return std::nullopt;
  }
  std::string line = "feed " + feed_ + " failed (" + error.code + "): " + error.message;
  if (failures_ > 1) {
    line += " [" + std::to_string(failures_) + " consecutive failures since " +
            formatRfc3339(*firstFailure_);
    if (suppressed_ > 0) line += ", " + std::to_string(suppressed_) + " not logged";
    line += "]";
  }
  suppressed_ = 0;
  lastLogged_ = now;
  return line;
}

std::optional<std::string> FeedFailureLog::onSuccess(TimePoint now) {
  if (failures_ == 0) return std::nullopt;
  const auto down = std::chrono::duration_cast<std::chrono::seconds>(now - *firstFailure_);
  std::string line = "feed " + feed_ + " recovered after " + std::to_string(failures_) +
                     " failed fetches over " + formatAge(down);
  failures_ = 0;
  suppressed_ = 0;
  lastCode_.clear();
  firstFailure_.reset();
  lastLogged_.reset();
  return line;
}

}  // namespace ibackupmon

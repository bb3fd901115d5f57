// SPDX-License-Identifier: Apache-2.0
#include "app/repeat_limit_sink.h"

#include "core/time_format.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace ibackupmon {
namespace {

// Distinct messages remembered at most: old entries go first (they are past their window).
constexpr std::size_t kMaxRemembered = 256;

// The message with the count of copies held back, and when the last came if it is not this line.
std::string withCount(const std::string& text, unsigned long held,
                      std::optional<spdlog::log_clock::time_point> last = std::nullopt) {
  std::string out =
      text + " (repeated " + std::to_string(held) + " more times since it was last shown";
  if (last) out += ", the last at " + formatRfc3339(*last);
  return out + ")";
}

}  // namespace

void RepeatLimitSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (msg.level < spdlog::level::warn) {
    dist_sink::sink_it_(msg);
    return;
  }
  Key key{static_cast<int>(msg.level), std::string(msg.payload.data(), msg.payload.size())};
  auto it = seen_.find(key);
  if (it != seen_.end() && msg.time - it->second.logged < window_) {
    ++it->second.held;
    it->second.lastHeld = msg.time;
    return;
  }
  if (it == seen_.end()) {
    for (auto old = seen_.begin(); seen_.size() >= kMaxRemembered && old != seen_.end();) {
      if (msg.time - old->second.logged < window_) {
        old = std::next(old);
        continue;
      }
      if (old->second.held > 0) showHeld(old->first, old->second, msg.time);
      old = seen_.erase(old);
    }
    if (seen_.size() >= kMaxRemembered) {
      // All are within their window: the one shown longest ago goes, its count shown first.
      auto oldest = std::min_element(seen_.begin(), seen_.end(), [](const auto& a, const auto& b) {
        return a.second.logged < b.second.logged;
      });
      if (oldest->second.held > 0) showHeld(oldest->first, oldest->second, msg.time);
      seen_.erase(oldest);
    }
    it = seen_.emplace(std::move(key), Seen{}).first;
  }
  const unsigned long held = it->second.held;
  it->second = Seen{msg.time, 0, {}};
  if (held == 0) {
    dist_sink::sink_it_(msg);
    return;
  }
  std::string text = withCount(it->first.second, held);
  spdlog::details::log_msg copy = msg;
  copy.payload = spdlog::string_view_t(text.data(), text.size());
  dist_sink::sink_it_(copy);
}

void RepeatLimitSink::flush_() {
  showDue(spdlog::log_clock::now(), false);
  dist_sink::flush_();
}

RepeatLimitSink::~RepeatLimitSink() {
  std::lock_guard lock(mutex_);
  showDue(spdlog::log_clock::now(), true);
  dist_sink::flush_();
}

void RepeatLimitSink::showDue(spdlog::log_clock::time_point now, bool all) {
  for (auto& [key, seen] : seen_) {
    if (seen.held == 0 || (!all && now - seen.logged < window_)) continue;
    showHeld(key, seen, now);
    // The count is a line of its own: the window starts again from it.
    seen = Seen{now, 0, {}};
  }
}

void RepeatLimitSink::showHeld(const Key& key, const Seen& seen,
                               spdlog::log_clock::time_point now) {
  const std::string text = withCount(key.second, seen.held, seen.lastHeld);
  spdlog::details::log_msg msg(now, {}, "", static_cast<spdlog::level::level_enum>(key.first),
                               text);
  dist_sink::sink_it_(msg);
}

}  // namespace ibackupmon

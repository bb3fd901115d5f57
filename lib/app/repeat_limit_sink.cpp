// SPDX-License-Identifier: Apache-2.0
#include "app/repeat_limit_sink.h"

#include <iterator>

namespace ibackupmon {
namespace {

// Distinct messages remembered at most: old entries go first (they are past their window).
constexpr std::size_t kMaxRemembered = 256;

}  // namespace

void RepeatLimitSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (msg.level < spdlog::level::warn) {
    dist_sink::sink_it_(msg);
    return;
  }
  std::pair<int, std::string> key{static_cast<int>(msg.level),
                                  std::string(msg.payload.data(), msg.payload.size())};
  auto it = seen_.find(key);
  if (it != seen_.end() && msg.time - it->second.logged < window_) {
    ++it->second.held;
    return;
  }
  if (it == seen_.end()) {
    for (auto old = seen_.begin(); seen_.size() >= kMaxRemembered && old != seen_.end();) {
      old = msg.time - old->second.logged >= window_ ? seen_.erase(old) : std::next(old);
    }
    if (seen_.size() >= kMaxRemembered) seen_.erase(seen_.begin());
    it = seen_.emplace(std::move(key), Seen{}).first;
  }
  const unsigned long held = it->second.held;
  it->second = Seen{msg.time, 0};
  if (held == 0) {
    dist_sink::sink_it_(msg);
    return;
  }
  std::string text = it->first.second + " (repeated " + std::to_string(held) +
                     " more times since it was last shown)";
  spdlog::details::log_msg copy = msg;
  copy.payload = spdlog::string_view_t(text.data(), text.size());
  dist_sink::sink_it_(copy);
}

}  // namespace ibackupmon

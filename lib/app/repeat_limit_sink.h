// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A spdlog sink that passes each warning or error on at most once per window: a failure that
/// repeats on every probe (a full disk, a locked database) gives one line per window. Copies
/// held back are counted, and the count is shown once the window is over: on the next copy,
/// or on the first flush after the window if no copy came (the daemon flushes every few
/// seconds) or when the sink goes (the daemon stops), so a failure that stops repeating still
/// shows how often it happened. Lower levels pass unchanged.
///
///   auto sink = std::make_shared<RepeatLimitSink>(std::chrono::seconds(60));
///   sink->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());

#include <spdlog/sinks/dist_sink.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace ibackupmon {

class RepeatLimitSink final : public spdlog::sinks::dist_sink<std::mutex> {
 public:
  explicit RepeatLimitSink(std::chrono::seconds window) : window_(window) {}
  ~RepeatLimitSink() override;
  RepeatLimitSink(const RepeatLimitSink&) = delete;
  RepeatLimitSink& operator=(const RepeatLimitSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  /// Shows the count of every message whose window is over with copies held back, then
  /// flushes the sinks it feeds.
  void flush_() override;

 private:
  struct Seen {
    spdlog::log_clock::time_point logged;    ///< when it was last shown
    unsigned long held = 0;                  ///< copies since, not shown
    spdlog::log_clock::time_point lastHeld;  ///< when the last of those came
  };
  using Key = std::pair<int, std::string>;  ///< (level, text)
  /// Passes the message's text on at `now` with the count of copies held back and the time of
  /// the last one.
  void showHeld(const Key& key, const Seen& seen, spdlog::log_clock::time_point now);
  /// Shows the counts held back of messages whose window is over (or of all, when `all`).
  void showDue(spdlog::log_clock::time_point now, bool all);

  std::chrono::seconds window_;
  std::map<Key, Seen> seen_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A spdlog sink that passes each warning or error on at most once per window: a failure that
/// repeats on every probe (a full disk, a locked database) gives one line per window, and the
/// next copy after the window says how many were held back. Lower levels pass unchanged.
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

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;

 private:
  struct Seen {
    spdlog::log_clock::time_point logged;
    unsigned long held = 0;
  };
  std::chrono::seconds window_;
  std::map<std::pair<int, std::string>, Seen> seen_;  ///< (level, text) -> last passed on
};

}  // namespace ibackupmon

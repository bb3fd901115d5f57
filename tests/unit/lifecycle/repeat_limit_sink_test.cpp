// SPDX-License-Identifier: Apache-2.0
// The daemon's log sink: a warning or error repeated on every probe is shown once a minute.
#include "app/repeat_limit_sink.h"

#include "core/time_format.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

class RepeatLimitSinkTest : public ::testing::Test {
 protected:
  RepeatLimitSinkTest() {
    sink_->add_sink(std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    sink_->set_pattern("%l %v");
  }
  // One message at t0 + offset (the sink reads each message's own time).
  void log(spdlog::level::level_enum level, const std::string& text,
           std::chrono::milliseconds offset) {
    spdlog::details::log_msg msg("test", level, text);
    msg.time = t0_ + offset;
    sink_->log(msg);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::ostringstream out_;
  std::shared_ptr<RepeatLimitSink> sink_ = std::make_shared<RepeatLimitSink>(60s);
  spdlog::log_clock::time_point t0_ = spdlog::log_clock::now();
};

TEST_F(RepeatLimitSinkTest, AnErrorRepeatedManyTimesASecondIsShownOncePerWindow) {
  const std::string full = "store: /var/lib/ibackupmon/ibackupmon.db: disk full";
  // 13 a second for two and a half minutes, interleaved with another error and info lines.
  for (int i = 0; i < 13 * 150; ++i) {
    const auto at = std::chrono::milliseconds(i * 1000 / 13);
    log(spdlog::level::err, full, at);
    if (i % 13 == 0) log(spdlog::level::err, "store: database is locked", at);
    if (i % 130 == 0) log(spdlog::level::info, "device X attached", at);
  }
  std::vector<std::string> fulls, locked, infos;
  for (const auto& line : lines()) {
    if (line.find("disk full") != std::string::npos) fulls.push_back(line);
    if (line.find("locked") != std::string::npos) locked.push_back(line);
    if (line.rfind("info", 0) == 0) infos.push_back(line);
  }
  ASSERT_EQ(fulls.size(), 3u) << out_.str();  // at 0 s, 60 s and 120 s
  EXPECT_EQ(fulls[0], "error " + full);
  EXPECT_NE(fulls[1].find("(repeated 779 more times since it was last shown)"), std::string::npos)
      << fulls[1];
  EXPECT_EQ(locked.size(), 3u);
  EXPECT_EQ(infos.size(), 15u) << "info lines are never held back";
}

TEST_F(RepeatLimitSinkTest, DifferentMessagesAndLevelsPassUnchanged) {
  log(spdlog::level::err, "store: a", 0ms);
  log(spdlog::level::err, "store: b", 1ms);
  log(spdlog::level::warn, "store: a", 2ms);
  log(spdlog::level::info, "same", 3ms);
  log(spdlog::level::info, "same", 4ms);
  EXPECT_EQ(lines(), (std::vector<std::string>{"error store: a", "error store: b",
                                               "warning store: a", "info same", "info same"}));
}

TEST_F(RepeatLimitSinkTest, ACountHeldBackIsShownOnAFlushOnceTheWindowIsOver) {
  const std::string failed = "remediation: local_backup on device X: failed";
  log(spdlog::level::err, failed, -100s);
  log(spdlog::level::err, failed, -90s);
  log(spdlog::level::err, failed, -80s);  // then it stops repeating
  log(spdlog::level::warn, "usbmuxd is gone", -10s);
  log(spdlog::level::warn, "usbmuxd is gone", -5s);  // still within its window
  sink_->flush();
  EXPECT_EQ(lines(), (std::vector<std::string>{
                         "error " + failed, "warning usbmuxd is gone",
                         "error " + failed +
                             " (repeated 2 more times since it was last shown, the last at " +
                             formatRfc3339(t0_ - 80s) + ")"}));
  sink_->flush();
  EXPECT_EQ(lines().size(), 3u) << "a count is shown once";
  log(spdlog::level::err, failed, 1s);
  EXPECT_EQ(lines().size(), 3u) << "the count shown starts a new window";
}

TEST_F(RepeatLimitSinkTest, CountsHeldBackAreShownWhenTheSinkGoes) {
  std::ostringstream out;
  {
    auto sink = std::make_shared<RepeatLimitSink>(60s);
    sink->add_sink(std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    sink->set_pattern("%l %v");
    for (int i = 0; i < 4; ++i) {
      spdlog::details::log_msg msg("test", spdlog::level::err, "store: disk full");
      msg.time = t0_ + std::chrono::seconds(i);
      sink->log(msg);
    }
    EXPECT_EQ(out.str(), "error store: disk full\n");
  }
  EXPECT_EQ(out.str(),
            "error store: disk full\n"
            "error store: disk full (repeated 3 more times since it was last shown, the last at " +
                formatRfc3339(t0_ + 3s) + ")\n");
}

}  // namespace
}  // namespace ibackupmon

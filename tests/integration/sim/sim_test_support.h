// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared bits of the simulator integration tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "sim_fixture.h"

namespace simtest {

using ibackupmon::testkit::ProcessResult;
using ibackupmon::testkit::runProcess;
using ibackupmon::testkit::SimConfig;
using ibackupmon::testkit::SimProcess;
using ibackupmon::testkit::waitFor;

inline constexpr const char* kHealthy = "00008110-0000000000000A01";
inline constexpr const char* kLocked = "00008110-0000000000000B02";
inline constexpr const char* kPending = "00008110-0000000000000C03";
inline constexpr const char* kDenied = "00008110-0000000000000D04";
inline constexpr const char* kBadHost = "00008110-0000000000000E05";
inline constexpr const char* kProhibited = "00008110-0000000000000F06";
inline constexpr const char* kHang = "00008110-0000000000001007";
inline constexpr const char* kDrop = "00008110-0000000000001108";
inline constexpr const char* kNotPaired = "00008110-0000000000001209";
inline constexpr const char* kNetwork = "00008110-000000000000130A";
inline constexpr const char* kUnplugged = "00008110-000000000000140B";
inline constexpr const char* kRestart = "00008110-000000000000150C";
inline constexpr const char* kCloudOff = "00008110-000000000000160D";
inline constexpr const char* kSlow = "00008110-000000000000170E";
inline constexpr const char* kDetaches = "00008110-000000000000180F";
inline constexpr const char* kPlistDate = "00008110-0000000000001910";

inline std::string toolsFleet() {
  return IBACKUPMON_SOURCE_DIR "/tests/integration/sim/tools_fleet.toml";
}

/// A simulator serving tools_fleet.toml for the duration of one test.
class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<SimProcess>(SimConfig{.fleet = toolsFleet()});
    ASSERT_TRUE(sim_->start()) << sim_->error();
  }
  ProcessResult tool(std::vector<std::string> argv, int seconds = 20) {
    return runProcess(argv, {.env = sim_->env(), .timeout = std::chrono::seconds(seconds)});
  }
  /// The DeviceID column of `ctl list` for `udid` ("-" when detached).
  std::string deviceId(const std::string& udid) {
    std::string list = sim_->ctl({"list"}).out;
    auto at = list.find(udid + " ");
    if (at == std::string::npos) return "";
    auto start = at + udid.size() + 1;
    return list.substr(start, list.find(' ', start) - start);
  }
  std::unique_ptr<SimProcess> sim_;
};

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace simtest

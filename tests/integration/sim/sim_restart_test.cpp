// SPDX-License-Identifier: Apache-2.0
// The simulator's model of a diagnostics_relay Restart, driven by Debian's idevicediagnostics.
#include "sim_test_support.h"

namespace simtest {
namespace {

constexpr const char* kPlain = "00008110-0000000000002A01";
constexpr const char* kPasscode = "00008110-0000000000002B02";
constexpr const char* kNeverReturns = "00008110-0000000000002C03";

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

class SimRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<SimProcess>(
        SimConfig{.fleet = IBACKUPMON_SOURCE_DIR "/tests/integration/sim/restart_fleet.toml"});
    ASSERT_TRUE(sim_->start()) << sim_->error();
  }
  ProcessResult tool(std::vector<std::string> argv) {
    return runProcess(argv, {.env = sim_->env(), .timeout = std::chrono::seconds(20)});
  }
  std::string line(const std::string& udid) {
    const std::string list = sim_->ctl({"list"}).out;
    const auto at = list.find(udid + " ");
    return at == std::string::npos ? "" : list.substr(at, list.find('\n', at) - at);
  }
  bool attached(const std::string& udid) { return contains(line(udid), " attached "); }
  void restart(const std::string& udid) {
    ProcessResult r = tool({"idevicediagnostics", "-u", udid, "restart"});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    ASSERT_TRUE(waitFor([&] { return !attached(udid); }, std::chrono::seconds(20)));
  }
  std::unique_ptr<SimProcess> sim_;
};

TEST_F(SimRestartTest, ComesBackReadableAfterRestartSeconds) {
  restart(kPlain);
  ASSERT_TRUE(waitFor([&] { return attached(kPlain); }, std::chrono::seconds(20)));
  EXPECT_EQ(tool({"ideviceinfo", "-u", kPlain, "-k", "DeviceName"}).exitCode, 0);
  EXPECT_TRUE(contains(sim_->events(), "\"request\":\"restart\"")) << sim_->events();
}

TEST_F(SimRestartTest, PasscodeDeviceComesBackLockedUntilCleared) {
  restart(kPasscode);
  ASSERT_TRUE(waitFor([&] { return attached(kPasscode); }, std::chrono::seconds(20)));
  EXPECT_TRUE(contains(line(kPasscode), "passcode_locked")) << line(kPasscode);
  ProcessResult locked = tool({"ideviceinfo", "-u", kPasscode, "-k", "DeviceName"});
  EXPECT_NE(locked.exitCode, 0) << locked.out;
  ASSERT_EQ(sim_->ctl({"fault", kPasscode, "clear", "passcode_locked"}).exitCode, 0);
  EXPECT_EQ(tool({"ideviceinfo", "-u", kPasscode, "-k", "DeviceName"}).exitCode, 0);
}

TEST_F(SimRestartTest, RestartNoReturnFaultKeepsTheDeviceAway) {
  restart(kNeverReturns);
  // Its plain twin, restarted after it with restart_seconds = 1, is back while it is not.
  restart(kPlain);
  ASSERT_TRUE(waitFor([&] { return attached(kPlain); }, std::chrono::seconds(20)));
  EXPECT_FALSE(attached(kNeverReturns)) << line(kNeverReturns);
  ASSERT_EQ(sim_->ctl({"attach", kNeverReturns}).exitCode, 0);
  EXPECT_TRUE(attached(kNeverReturns));
}

}  // namespace
}  // namespace simtest

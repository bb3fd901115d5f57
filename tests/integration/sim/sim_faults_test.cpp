// SPDX-License-Identifier: Apache-2.0
// Faults: what Debian's tools print must match what they print for a real device in that state.
#include "sim_test_support.h"

namespace simtest {
namespace {

TEST_F(SimTest, PasscodeLockedDeviceGivesMinus17) {
  ProcessResult r = tool({"ideviceinfo", "-u", kLocked});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_TRUE(contains(r.err, "Could not connect to lockdownd: Password protected (-17)")) << r.err;
}

TEST_F(SimTest, TrustPendingUntilTheUserTapsTrust) {
  ProcessResult r = tool({"ideviceinfo", "-u", kPending, "-k", "DeviceName"});
  EXPECT_TRUE(contains(r.err, "Pairing dialog response pending (-19)")) << r.err;
  ASSERT_EQ(sim_->ctl({"trust", kPending, "accept"}).exitCode, 0);
  // The next handshake pairs, saves the record through usbmuxd and opens a session.
  ProcessResult ok = tool({"ideviceinfo", "-u", kPending, "-k", "ProductType"});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_FALSE(ok.out.empty());
  EXPECT_TRUE(contains(sim_->events(), "\"request\":\"SavePairRecord\""));
}

TEST_F(SimTest, DeniedTrustGivesMinus18) {
  ProcessResult r = tool({"ideviceinfo", "-u", kDenied});
  EXPECT_TRUE(contains(r.err, "User denied pairing (-18)")) << r.err;
}

TEST_F(SimTest, TrustDenyAtRuntime) {
  ASSERT_EQ(sim_->ctl({"trust", kPending, "deny"}).exitCode, 0);
  EXPECT_TRUE(contains(tool({"ideviceinfo", "-u", kPending}).err, "User denied pairing (-18)"));
}

TEST_F(SimTest, UnknownHostIdGivesMinus21) {
  ProcessResult r = tool({"ideviceinfo", "-u", kBadHost});
  EXPECT_TRUE(contains(r.err, "Invalid HostID (-21)")) << r.err;
}

TEST_F(SimTest, MissingPairRecordIsPairedByTheHandshake) {
  ProcessResult r = tool({"ideviceinfo", "-u", kNotPaired, "-k", "UniqueDeviceID"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kNotPaired) + "\n");
  EXPECT_TRUE(contains(sim_->events(), "\"request\":\"Pair\""));
}

TEST_F(SimTest, ProhibitedDomainPrintsNothing) {
  // ideviceinfo ignores GetValue errors: the reply, not the exit code, shows the fault.
  ProcessResult r = tool({"ideviceinfo", "-u", kProhibited, "-q", "com.apple.mobile.backup"});
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(sim_->events(), "\"result\":\"GetProhibited\""));
  ProcessResult battery =
      tool({"ideviceinfo", "-u", kProhibited, "-q", "com.apple.mobile.battery"});
  EXPECT_TRUE(contains(battery.out, "BatteryCurrentCapacity: "));
}

TEST_F(SimTest, FaultsCanBeSetAndClearedAtRuntime) {
  ASSERT_EQ(sim_->ctl({"fault", kHealthy, "passcode_locked"}).exitCode, 0);
  EXPECT_TRUE(contains(tool({"ideviceinfo", "-u", kHealthy}).err, "(-17)"));
  ASSERT_EQ(sim_->ctl({"fault", kHealthy, "clear", "passcode_locked"}).exitCode, 0);
  EXPECT_EQ(tool({"ideviceinfo", "-u", kHealthy, "-k", "DeviceName"}).out, "Test-Healthy\n");
  ASSERT_EQ(sim_->ctl({"fault", kHealthy, "get_prohibited", "com.apple.mobile.battery"}).exitCode,
            0);
  EXPECT_EQ(tool({"ideviceinfo", "-u", kHealthy, "-q", "com.apple.mobile.battery"}).out, "");
  ASSERT_EQ(sim_->ctl({"fault", kHealthy, "clear"}).exitCode, 0);
  EXPECT_NE(tool({"ideviceinfo", "-u", kHealthy, "-q", "com.apple.mobile.battery"}).out, "");
}

TEST_F(SimTest, HangingDeviceNeverAnswers) {
  ProcessResult r = tool({"ideviceinfo", "-u", kHang, "-k", "DeviceName"}, 2);
  EXPECT_TRUE(r.timedOut);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(sim_->events(), "\"request\":\"(hang)\""));
}

TEST_F(SimTest, DroppedSessionFailsTheHandshake) {
  ProcessResult r = tool({"ideviceinfo", "-u", kDrop});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_TRUE(contains(r.err, "Could not connect to lockdownd")) << r.err;
  EXPECT_TRUE(contains(sim_->events(), "\"result\":\"dropped\""));
}

TEST_F(SimTest, SlowDeviceStillAnswers) {
  ProcessResult r = tool({"ideviceinfo", "-u", kSlow, "-k", "ProductType"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
}

TEST_F(SimTest, DeviceDetachesDuringTheSessionAndReturns) {
  std::string before = deviceId(kDetaches);
  ProcessResult r = tool({"ideviceinfo", "-u", kDetaches, "-k", "ProductType"});
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(sim_->events(), "\"result\":\"detached\""));
  ASSERT_TRUE(waitFor(
      [&] {
        auto id = deviceId(kDetaches);
        return id != "-" && id != before;
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace simtest

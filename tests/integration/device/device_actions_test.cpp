// SPDX-License-Identifier: Apache-2.0
// The remediation requests, sent by the real libimobiledevice 1.3.0 to ibackupmon-sim.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sstream>
#include <thread>

#include "device/lockdown_connector.h"
#include "device/plist_value.h"
#include "sim_fixture.h"

namespace ibackupmon {
namespace {

using testkit::SimConfig;
using testkit::SimProcess;

class DeviceActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As the daemon does: a restarted device closes its sockets under the lockdown session, and
    // OpenSSL's socket BIO writes to them (StopSession) with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    sim = std::make_unique<SimProcess>(SimConfig{.generate = 40, .seed = 7});
    ASSERT_TRUE(sim->start()) << sim->error();
    sim->exportAddress();
  }
  std::string first(const std::string& situation) {
    auto u = sim->udidsWith(situation);
    if (u.empty()) ADD_FAILURE() << "the generated fleet has no " << situation << " device";
    return u.empty() ? std::string() : u.front();
  }
  std::unique_ptr<DeviceSession> open(const std::string& udid) {
    auto s = connector.open(DeviceRef{udid, 0, false}, SessionOptions{false});
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::optional<bool> cloudBackupEnabled(const std::string& udid) {
    auto s = open(udid);
    if (!s) return std::nullopt;
    auto d = s->getDomain("com.apple.mobile.backup");
    if (!d) return std::nullopt;
    const PlistValue* v = findKey(*d, "CloudBackupEnabled");
    const bool* b = v != nullptr ? v->get<bool>() : nullptr;
    return b != nullptr ? std::optional<bool>(*b) : std::nullopt;
  }
  // The usbmuxd DeviceID the simulator lists for udid; "-" while detached.
  std::string deviceId(const std::string& udid) {
    std::istringstream lines(sim->ctl({"list"}).out);
    for (std::string l; std::getline(lines, l);) {
      std::istringstream words(l);
      std::string u, id;
      words >> u >> id;
      if (u == udid) return id;
    }
    return "";
  }

  std::unique_ptr<SimProcess> sim;
  LockdownConnector connector;
};

TEST_F(DeviceActionsTest, EnableCloudBackupTurnsTheSwitchOn) {
  const std::string udid = first("icloud_backup_off");
  ASSERT_EQ(cloudBackupEnabled(udid), false);
  auto session = open(udid);
  ASSERT_TRUE(session);
  auto done = session->enableCloudBackup();
  ASSERT_TRUE(done) << done.error().message;
  session.reset();
  EXPECT_EQ(cloudBackupEnabled(udid), true);
  EXPECT_EQ(sim->countEvents(udid, {"EnableCloudBackup"}), 1u) << sim->events();
}

TEST_F(DeviceActionsTest, RestartDetachesAndComesBack) {
  const std::string udid = first("healthy");
  const std::string before = deviceId(udid);
  ASSERT_NE(before, "-");
  auto session = open(udid);
  ASSERT_TRUE(session);
  auto done = session->restart();
  ASSERT_TRUE(done) << done.error().message;
  session.reset();
  EXPECT_EQ(sim->countEvents(udid, {"\"Restart\""}), 1u) << sim->events();
  // Detach, then attach again: awaited, not slept through.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string now = deviceId(udid);
  while (std::chrono::steady_clock::now() < deadline && (now == before || now == "-")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    now = deviceId(udid);
  }
  EXPECT_NE(now, "-") << sim->events();
  EXPECT_NE(now, before) << "a restarted device comes back under a new DeviceID";
  EXPECT_EQ(sim->countEvents(udid, {"\"attach\""}), 1u) << sim->events();
}

}  // namespace
}  // namespace ibackupmon

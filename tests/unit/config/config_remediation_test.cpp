// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config/config_render.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Expected<Config> parse(const std::string& text) {
  return loadConfigFromString(text, "r.toml");
}

TEST(RemediationConfig, OffByDefault) {
  const Config c;
  EXPECT_FALSE(c.remediation.anyActionEnabled());
  EXPECT_FALSE(c.remediation.dryRun);
  EXPECT_EQ(c.remediation.restartAfter, Duration::zero());
  EXPECT_EQ(c.remediation.restartTimeout, minutes(5));
  EXPECT_EQ(c.remediation.maxRestartsPerHour, 5);
  EXPECT_DOUBLE_EQ(c.remediation.maxFleetFraction, 0.2);
  EXPECT_EQ(c.remediation.minInterval, hours(24));
  EXPECT_FALSE(c.remediation.window.has_value());
}

TEST(RemediationConfig, ReadsEveryKey) {
  auto c = parse(R"([remediation]
enable_icloud_backup = true
restart_after = "3d"
restart_passcode_devices = true
restart_timeout = "2m"
window = "20:00-06:00"
max_restarts_per_hour = 2
max_fleet_fraction = 0.5
min_interval = "12h"
udids = ["00008030-001A2C3E0E38802E"]
exclude_udids = ["abc"]
dry_run = true
digest = false
)");
  ASSERT_TRUE(c) << c.error().message;
  const auto& r = c->remediation;
  EXPECT_TRUE(r.enableIcloudBackup);
  EXPECT_EQ(r.restartAfter, hours(72));
  EXPECT_TRUE(r.restartPasscodeDevices);
  EXPECT_EQ(r.restartTimeout, minutes(2));
  ASSERT_TRUE(r.window);
  EXPECT_EQ(r.window->startMinute, 20 * 60);
  EXPECT_EQ(r.window->endMinute, 6 * 60);
  EXPECT_EQ(r.maxRestartsPerHour, 2);
  EXPECT_DOUBLE_EQ(r.maxFleetFraction, 0.5);
  EXPECT_EQ(r.minInterval, hours(12));
  EXPECT_EQ(r.udids.size(), 1u);
  EXPECT_EQ(r.excludeUdids, std::vector<std::string>{"abc"});
  EXPECT_TRUE(r.dryRun);
  EXPECT_FALSE(r.digest);
  EXPECT_TRUE(r.anyActionEnabled());
}

TEST(RemediationConfig, IntegerFractionIsAccepted) {
  auto c = parse("[remediation]\nmax_fleet_fraction = 1\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_DOUBLE_EQ(c->remediation.maxFleetFraction, 1.0);
}

TEST(RemediationConfig, BadValuesNameFileLineColumnAndKey) {
  auto c = parse(R"([remediation]
window = "25:00-06:00"
max_fleet_fraction = 1.5
restart_after = "soon"
udids = ["bad udid!"]
max_restarts_per_hour = -1
restart_timeout = "0s"
dry_run = "yes"
windw = ""
)");
  ASSERT_FALSE(c);
  const std::string& e = c.error().message;
  EXPECT_NE(e.find("r.toml:2:10: remediation.window: expected \"\" or a span of host local time"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("r.toml:3:22: remediation.max_fleet_fraction: expected a number from 0 to 1"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("r.toml:4:17: remediation.restart_after: expected a duration"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("r.toml:5:10: remediation.udids[0]: expected"), std::string::npos) << e;
  EXPECT_NE(e.find("remediation.max_restarts_per_hour: expected an integer from 0 to 1000"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("remediation.restart_timeout: expected a duration from 1s to 1h"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("remediation.dry_run: expected true or false"), std::string::npos) << e;
  EXPECT_NE(e.find("remediation.windw"), std::string::npos) << e;
}

TEST(RemediationConfig, WindowWithEqualEndsIsRefused) {
  EXPECT_FALSE(parse("[remediation]\nwindow = \"06:00-06:00\"\n"));
  EXPECT_FALSE(parse("[remediation]\nwindow = \"6:00-07:00\"\n"));
  EXPECT_TRUE(parse("[remediation]\nwindow = \"\"\n"));
}

TEST(DailyWindow, ContainsAndWrapsPastMidnight) {
  const auto night = parseDailyWindow("20:00-06:00");
  ASSERT_TRUE(night);
  EXPECT_TRUE(night->contains(20 * 60));
  EXPECT_TRUE(night->contains(23 * 60 + 59));
  EXPECT_TRUE(night->contains(0));
  EXPECT_TRUE(night->contains(5 * 60 + 59));
  EXPECT_FALSE(night->contains(6 * 60));
  EXPECT_FALSE(night->contains(12 * 60));
  const auto day = parseDailyWindow("08:30-09:00");
  ASSERT_TRUE(day);
  EXPECT_TRUE(day->contains(8 * 60 + 30));
  EXPECT_FALSE(day->contains(9 * 60));
  EXPECT_FALSE(day->contains(8 * 60 + 29));
  EXPECT_EQ(formatDailyWindow(*night), "20:00-06:00");
}

TEST(RemediationConfig, RendersAndRoundTrips) {
  Config c;
  c.sourcePath = "x.toml";
  c.remediation.enableIcloudBackup = true;
  c.remediation.restartAfter = hours(3);
  c.remediation.window = parseDailyWindow("22:15-05:45");
  c.remediation.maxFleetFraction = 0.35;
  c.remediation.udids = {"a-b"};
  c.remediation.dryRun = true;
  const std::string text = renderConfig(c);
  EXPECT_NE(text.find("[remediation]"), std::string::npos);
  EXPECT_NE(text.find("window = \"22:15-05:45\""), std::string::npos) << text;
  auto back = loadConfigFromString(text, "x.toml");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, c);
}

TEST(RemediationConfig, IsReloadableNotRestartOnly) {
  Config running;
  Config next;
  next.remediation.dryRun = true;
  EXPECT_TRUE(restartRequiredChanges(running, next).empty());
  EXPECT_EQ(withRunningRestartKeys(next, running).remediation, next.remediation);
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Config load(const std::string& text) {
  auto config = loadConfigFromString(text, "test.toml");
  EXPECT_TRUE(config) << (config ? "" : config.error().message);
  return config ? *config : Config{};
}

TEST(ConfigLoader, EmptyFileGivesDocumentedDefaults) {
  Config expected;
  expected.sourcePath = "test.toml";
  EXPECT_EQ(load(""), expected);
  EXPECT_EQ(expected.metrics.listen, "0.0.0.0:9847");
  EXPECT_EQ(expected.probe.interval, minutes(5));
}

TEST(ConfigLoader, ReadsTheIssueExample) {
  const Config c = load(R"(
[storage]
path = "/tmp/x.db"
[metrics]
listen = "127.0.0.1:0"
[probe]
interval = "90s"
timeout = "1m30s"
concurrency = 3
[backup]
stale_after = "36h"
critical_after = "7d"
[log]
level = "debug"
)");
  EXPECT_EQ(c.storage.path, "/tmp/x.db");
  EXPECT_EQ(c.metrics.listen, "127.0.0.1:0");
  EXPECT_EQ(c.probe.interval, seconds(90));
  EXPECT_EQ(c.probe.timeout, seconds(90));
  EXPECT_EQ(c.probe.concurrency, 3);
  EXPECT_EQ(c.backup.criticalAfter, hours(24 * 7));
  EXPECT_EQ(c.log.level, LogLevel::Debug);
}

TEST(ConfigLoader, ReadsEveryKey) {
  const Config c = load(R"(
[storage]
path = "/srv/db"
retention = "30d"
forget_after = "10d"
[metrics]
listen = "[::1]:9999"
basic_auth_user = "prom"
basic_auth_password_file = "/etc/pw"
[probe]
interval = "1m"
timeout = "5s"
concurrency = 256
network_devices = true
pair = false
include = ["A*", "00008030-001A2C3E0E38802E"]
exclude = ["Spare*"]
max_abandoned_workers = 0
[backup]
stale_after = "1d"
critical_after = "2d"
missing_after = "5d"
expect = "either"
[thresholds]
battery_low = 0
battery_health = 75
battery_temperature = 38
storage_low = 1048576
clock_skew = "1m"
[ios]
minimum_version = "16.7.2"
catalog_url = "https://gdmf.apple.com/v2/pmv"
ca_file = "/etc/apple.pem"
catalog_interval = "12h"
[log]
level = "error"
[alerts]
repeat = "diminishing"
group_window = "0s"
notify_resolved = false
host_name = "cart-3"
dashboard_url = "https://grafana.example.com/d/ibackupmon"
control_socket = "/tmp/ctl.sock"
[alerts.email]
smtp_url = "smtps://mail.example.com:465"
starttls = "never"
username = "bot"
password_file = "/etc/smtp.pw"
from = "ibackupmon@example.com"
to = ["a@example.com", "b@example.com"]
timeout = "45s"
[alerts.alertmanager]
url = "http://127.0.0.1:9093"
resend_interval = "2m"
timeout = "3s"
[apple_status]
url = "https://www.apple.com/support/systemstatus/data/system_status_en_US.js"
interval = "10m"
services = ["iCloud Backup"]
[[device]]
udid = "00008030-001A2C3E0E38802E"
label = "Cart 3, slot 12"
location = "Library"
[[device]]
udid = "abcdef0123456789abcdef0123456789abcdef01"
)");
  EXPECT_EQ(c.storage.retention, hours(24 * 30));
  EXPECT_EQ(c.storage.forgetAfter, hours(24 * 10));
  EXPECT_EQ(c.metrics.basicAuthUser, "prom");
  EXPECT_EQ(c.metrics.basicAuthPasswordFile, "/etc/pw");
  EXPECT_TRUE(c.probe.networkDevices);
  EXPECT_FALSE(c.probe.pair);
  EXPECT_EQ(c.probe.include.size(), 2u);
  EXPECT_EQ(c.probe.exclude, std::vector<std::string>{"Spare*"});
  EXPECT_EQ(c.probe.maxAbandonedWorkers, 0);
  EXPECT_EQ(c.backup.missingAfter, hours(24 * 5));
  EXPECT_EQ(c.backup.expect, BackupExpect::Either);
  EXPECT_EQ(c.thresholds.batteryLow, 0);
  EXPECT_EQ(c.thresholds.batteryHealth, 75);
  EXPECT_EQ(c.thresholds.batteryTemperature, 38);
  EXPECT_EQ(c.thresholds.storageLow, 1048576u);
  EXPECT_EQ(c.thresholds.clockSkew, minutes(1));
  EXPECT_EQ(c.ios.minimumVersion, "16.7.2");
  EXPECT_EQ(c.ios.caFile, "/etc/apple.pem");
  EXPECT_EQ(c.ios.catalogInterval, hours(12));
  EXPECT_EQ(c.alerts.repeat, RepeatPolicy::Diminishing);
  EXPECT_EQ(c.alerts.groupWindow, seconds(0));
  EXPECT_FALSE(c.alerts.notifyResolved);
  EXPECT_EQ(c.alerts.hostName, "cart-3");
  EXPECT_EQ(c.alerts.controlSocket, "/tmp/ctl.sock");
  EXPECT_EQ(c.alerts.email.starttls, StartTls::Never);
  EXPECT_EQ(c.alerts.email.username, "bot");
  EXPECT_EQ(c.alerts.email.to.size(), 2u);
  EXPECT_EQ(c.alerts.email.timeout, seconds(45));
  EXPECT_EQ(c.alerts.alertmanager.url, "http://127.0.0.1:9093");
  EXPECT_EQ(c.alerts.alertmanager.resendInterval, minutes(2));
  EXPECT_EQ(c.alerts.alertmanager.timeout, seconds(3));
  EXPECT_EQ(c.appleStatus.interval, minutes(10));
  EXPECT_EQ(c.appleStatus.services, std::vector<std::string>{"iCloud Backup"});
  ASSERT_EQ(c.devices.size(), 2u);
  EXPECT_EQ(c.devices[0].label, "Cart 3, slot 12");
  EXPECT_EQ(c.devices[0].location, "Library");
  EXPECT_FALSE(c.devices[1].label.has_value());
}

TEST(ConfigLoader, StorageLowAcceptsUnits) {
  EXPECT_EQ(load("[thresholds]\nstorage_low = \"2GiB\"").thresholds.storageLow, 2ull << 30);
  EXPECT_EQ(load("[thresholds]\nstorage_low = \"500MB\"").thresholds.storageLow, 500000000u);
  EXPECT_EQ(load("[thresholds]\nstorage_low = 0").thresholds.storageLow, 0u);
}

TEST(ConfigLoader, ListenAcceptsLoopbackPortZeroAndIpv6) {
  EXPECT_EQ(load("[metrics]\nlisten = \"127.0.0.1:0\"").metrics.listen, "127.0.0.1:0");
  EXPECT_EQ(load("[metrics]\nlisten = \"[::]:9847\"").metrics.listen, "[::]:9847");
}

TEST(ConfigLoader, DeviceArrayMayBeInline) {
  const Config c = load("device = [{ udid = \"abc-123\" }, { udid = \"def\", label = \"x\" }]");
  ASSERT_EQ(c.devices.size(), 2u);
  EXPECT_EQ(c.devices[1].udid, "def");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ibackupmon-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, MissingDefaultFileMeansDefaultsAndAWarning) {
  std::vector<std::string> warnings;
  const std::string path = (dir_ / "absent.toml").string();
  auto config = loadConfig(path, ConfigOrigin::Default, &warnings);
  ASSERT_TRUE(config);
  EXPECT_EQ(*config, Config{});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(path), std::string::npos);
  EXPECT_NE(warnings[0].find("defaults"), std::string::npos);
}

TEST_F(ConfigFileTest, MissingExplicitFileIsAnError) {
  const std::string path = (dir_ / "absent.toml").string();
  auto config = loadConfig(path, ConfigOrigin::Explicit);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "config_missing");
  EXPECT_NE(config.error().message.find(path), std::string::npos);
}

TEST_F(ConfigFileTest, DirectoryIsAnError) {
  auto config = loadConfig(dir_.string(), ConfigOrigin::Default);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "config_unreadable");
}

TEST_F(ConfigFileTest, FileSetsSourcePathAndErrorsNameIt) {
  const std::string path = (dir_ / "c.toml").string();
  std::ofstream(path) << "[log]\nlevel = \"warn\"\n";
  auto config = loadConfig(path);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->sourcePath, path);
  EXPECT_EQ(config->log.level, LogLevel::Warn);
  std::ofstream(path) << "[log]\nlevel = \"loud\"\n";
  auto bad = loadConfig(path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind(path + ":2:9: log.level: expected", 0), 0u)
      << bad.error().message;
}

}  // namespace
}  // namespace ibackupmon

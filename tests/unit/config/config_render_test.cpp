// SPDX-License-Identifier: Apache-2.0
#include "config/config_render.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace ibackupmon {
namespace {

Config roundTrip(const Config& c) {
  const std::string text = renderConfig(c);
  auto back = loadConfigFromString(text, c.sourcePath);
  EXPECT_TRUE(back) << (back ? "" : back.error().message) << "\n" << text;
  return back ? *back : Config{};
}

TEST(ConfigRender, DefaultsRoundTrip) {
  Config c;
  c.sourcePath = "defaults.toml";
  EXPECT_EQ(roundTrip(c), c);
}

TEST(ConfigRender, EverythingSetRoundTrips) {
  Config c;
  c.sourcePath = "x.toml";
  c.storage = {"/var/lib/\"odd\" \\path\\ é.db", std::chrono::hours(1), std::chrono::seconds(61)};
  c.metrics = {"[::1]:0", "user", "/etc/pw"};
  c.probe.interval = std::chrono::seconds(5401);
  c.probe.include = {"iPad*", "x\"y"};
  c.probe.exclude = {};
  c.probe.networkDevices = true;
  c.probe.pair = false;
  c.probe.concurrency = 1;
  c.backup.expect = BackupExpect::Computer;
  c.thresholds.storageLow = 123;
  c.thresholds.batteryLow = 0;
  c.thresholds.batteryHealth = 72;
  c.thresholds.batteryTemperature = 43;
  c.ios = {"17.1", "https://gdmf.apple.com/v2/pmv", "/ca.pem", std::chrono::minutes(90)};
  c.log.level = LogLevel::Trace;
  c.alerts.repeat = RepeatPolicy::Once;
  c.alerts.groupWindow = std::chrono::seconds(0);
  c.alerts.hostName = "Cart 3 (Library) – 日本";
  c.alerts.email.smtpUrl = "smtp://127.0.0.1:2525";
  c.alerts.email.starttls = StartTls::Required;
  c.alerts.email.username = "u";
  c.alerts.email.passwordFile = "/pw";
  c.alerts.email.to = {"a@example.com", "b@example.org"};
  c.alerts.alertmanager.url = "http://127.0.0.1:9093";
  c.appleStatus.services = {};
  c.devices = {{"00008030-001A2C3E0E38802E", "Slot \"12\" \\ left", std::nullopt},
               {"abc", std::nullopt, "Room 1"}};
  EXPECT_EQ(roundTrip(c), c);
}

TEST(ConfigRender, StorageLowUsesUnitsWhenExact) {
  Config c;
  EXPECT_NE(renderConfig(c).find("storage_low = \"2GiB\""), std::string::npos);
  c.thresholds.storageLow = 1000;
  EXPECT_NE(renderConfig(c).find("storage_low = \"1000B\""), std::string::npos);
}

TEST(ConfigRender, QuotesControlCharacters) {
  EXPECT_EQ(tomlQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(ConfigRender, UnsetOptionalKeysAreLeftOut) {
  const std::string text = renderConfig(Config{});
  EXPECT_EQ(text.find("basic_auth_user"), std::string::npos);
  EXPECT_EQ(text.find("minimum_version"), std::string::npos);
  EXPECT_NE(text.find("[alerts.email]"), std::string::npos);
}

}  // namespace
}  // namespace ibackupmon

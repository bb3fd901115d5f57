// SPDX-License-Identifier: Apache-2.0
#include "app/cli.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(Cli, DefaultsToRunWithTheDefaultConfig) {
  auto o = parseCommandLine({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->action, CliAction::Run);
  EXPECT_FALSE(o->configPath);
}

TEST(Cli, ConfigInBothForms) {
  EXPECT_EQ(parseCommandLine({"--config", "/a.toml"})->configPath, "/a.toml");
  EXPECT_EQ(parseCommandLine({"--config=/b.toml", "--check-config"})->configPath, "/b.toml");
  EXPECT_EQ(parseCommandLine({"--check-config", "--config", "x"})->action, CliAction::CheckConfig);
  EXPECT_EQ(parseCommandLine({"-h"})->action, CliAction::Help);
  EXPECT_EQ(parseCommandLine({"--print-config"})->action, CliAction::PrintConfig);
  EXPECT_EQ(parseCommandLine({"--version"})->action, CliAction::Version);
}

TEST(Cli, ErrorsAreClear) {
  auto unknown = parseCommandLine({"--chek-config"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "usage");
  EXPECT_EQ(unknown.error().message, "--chek-config: unknown option");
  EXPECT_EQ(parseCommandLine({"--config"}).error().message, "--config: expected a value");
  EXPECT_EQ(parseCommandLine({"--config="}).error().message,
            "--config: expected a non-empty value");
  EXPECT_EQ(parseCommandLine({"--config=", "--check-config"}).error().message,
            "--config: expected a non-empty value");
  EXPECT_EQ(parseCommandLine({"--help=1"}).error().message, "--help: expected no value");
  EXPECT_EQ(parseCommandLine({"stray"}).error().message, "stray: unexpected argument");
  EXPECT_EQ(parseCommandLine({"--version", "--help"}).error().message,
            "--version: cannot be combined with --help");
  EXPECT_EQ(parseCommandLine({"--print-config", "-h"}).error().message,
            "--print-config: cannot be combined with --help");
}

TEST(Cli, TheSameActionTwiceAndTheLastConfigWin) {
  auto o = parseCommandLine({"--check-config", "--config=a", "--check-config", "--config", "b"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->action, CliAction::CheckConfig);
  EXPECT_EQ(o->configPath, "b");
  EXPECT_EQ(parseCommandLine({"--send-test-alert"})->action, CliAction::SendTestAlert);
}

TEST(Cli, UsageListsEveryOption) {
  const std::string usage = usageText();
  for (const char* o : {"--config PATH", "--check-config", "--print-config", "--send-test-alert",
                        "--version", "-h, --help"}) {
    EXPECT_NE(usage.find(o), std::string::npos) << o;
  }
}

}  // namespace
}  // namespace ibackupmon

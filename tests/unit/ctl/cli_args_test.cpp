// SPDX-License-Identifier: Apache-2.0
// ibackupmonctl's argument parsing: options in both spellings, before or after the command.
#include "cli_args.h"

#include <gtest/gtest.h>

namespace ibackupmon::ctl {
namespace {

TEST(CtlArgs, OptionsInBothSpellingsBeforeOrAfterTheCommand) {
  for (const auto& argv :
       std::vector<std::vector<std::string>>{{"--db", "x.db", "--json", "device", "U1"},
                                             {"--db=x.db", "device", "U1", "--json"},
                                             {"device", "--db", "x.db", "U1", "--json"},
                                             {"device", "U1", "--json", "--db=x.db"}}) {
    auto a = parseArgs(argv);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->command, "device");
    EXPECT_EQ(a->positional, std::vector<std::string>{"U1"});
    EXPECT_EQ(a->db, "x.db");
    EXPECT_TRUE(a->json);
  }
}

TEST(CtlArgs, AckOptionsKeepTheirValues) {
  auto a = parseArgs({"ack", "U1", "backup_stale", "--until=3d", "--comment", "at repair",
                      "--socket=/run/c.sock"});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->positional, (std::vector<std::string>{"U1", "backup_stale"}));
  EXPECT_EQ(a->until, "3d");
  EXPECT_EQ(a->comment, "at repair");
  EXPECT_EQ(a->socket, "/run/c.sock");
  EXPECT_EQ(parseArgs({"ack", "U1", "--comment="})->comment, "");
  EXPECT_EQ(parseArgs({"export", "--format=csv"})->format, "csv");
  EXPECT_EQ(parseArgs({"status", "--", "--db"})->positional, std::vector<std::string>{"--db"});
}

TEST(CtlArgs, HelpAndVersionNeedNoCommand) {
  auto h = parseArgs({"-h"});
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->help);
  EXPECT_TRUE(h->command.empty());
  EXPECT_TRUE(parseArgs({"--version"})->version);
}

TEST(CtlArgs, ErrorsAreOneLineNamingTheArgument) {
  auto expectUsage = [](const std::vector<std::string>& argv, const std::string& message) {
    auto a = parseArgs(argv);
    ASSERT_FALSE(a) << message;
    EXPECT_EQ(a.error().code, "usage");
    EXPECT_EQ(a.error().message, message);
  };
  expectUsage({"status", "--db"}, "--db: expected a value");
  expectUsage({"--db=", "status"}, "--db: expected a non-empty value");
  expectUsage({"status", "--bogus"}, "--bogus: unknown option");
  expectUsage({"status", "--json=yes"}, "--json: expected no value");
  expectUsage({"status", "--db", "a", "--config", "b"}, "--db: cannot be combined with --config");
}

TEST(CtlArgs, UsageListsCommandsAndOptions) {
  const std::string usage = usageText();
  for (const char* s :
       {"Usage: ibackupmonctl [OPTIONS] COMMAND", "status", "forget UDID", "  --db PATH ",
        "--config PATH", "--json", "--format csv|json", "--until TIME|DURATION", "--comment TEXT",
        "--socket PATH", "-h, --help", "--version", "64 bad arguments"}) {
    EXPECT_NE(usage.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace ibackupmon::ctl

// SPDX-License-Identifier: Apache-2.0
#include "cli/command_line.h"

#include <gtest/gtest.h>

namespace ibackupmon::cli {
namespace {

// A program with one of each kind of option, as the three programs declare theirs.
struct Example {
  std::optional<std::string> db;
  std::optional<std::string> comment;
  std::string socket;
  bool json = false;
  bool help = false;
  std::vector<std::string> words;
  CommandLine cl{"example", "example [OPTIONS] COMMAND\n  [ARGS]", "Does things."};

  Example() {
    cl.value("--db", db, "PATH", "the database");
    cl.value("--comment", comment, "TEXT", "why\nsecond line", false);
    cl.value("--socket", socket, "PATH", "a socket");
    cl.flag("--json", json, "machine-readable");
    cl.flag("-h,--help", help, "print this help");
    cl.positionals(words);
    cl.footer("Exit codes: 0, 64.");
  }
  std::string error(const std::vector<std::string>& args) {
    auto r = cl.parse(args);
    EXPECT_FALSE(r);
    if (r) return "(parsed)";
    EXPECT_EQ(r.error().code, "usage");
    return r.error().message;
  }
};

TEST(CommandLine, ValueAfterSpaceOrEquals) {
  Example a;
  ASSERT_TRUE(a.cl.parse({"--db", "x.db", "--socket=/s", "--comment=a=b"}));
  EXPECT_EQ(a.db, "x.db");
  EXPECT_EQ(a.socket, "/s");
  EXPECT_EQ(a.comment, "a=b");
  Example b;
  ASSERT_TRUE(b.cl.parse({"--db=y.db", "--socket", "/t"}));
  EXPECT_EQ(b.db, "y.db");
  EXPECT_EQ(b.socket, "/t");
}

TEST(CommandLine, OptionsBeforeBetweenAndAfterPositionals) {
  Example e;
  ASSERT_TRUE(e.cl.parse({"--json", "ack", "--db", "d", "U1", "--comment", "-x", "C", "-5", "-"}));
  EXPECT_EQ(e.words, (std::vector<std::string>{"ack", "U1", "C", "-5", "-"}));
  EXPECT_TRUE(e.json);
  EXPECT_EQ(e.comment, "-x") << "a value may start with '-'";
  Example dashes;
  ASSERT_TRUE(dashes.cl.parse({"status", "--", "--json", "--db=x"}));
  EXPECT_EQ(dashes.words, (std::vector<std::string>{"status", "--json", "--db=x"}));
  EXPECT_FALSE(dashes.json);
  EXPECT_FALSE(dashes.db);
}

TEST(CommandLine, LastValueWinsAndEmptyValuesAreKeptWhereAllowed) {
  Example e;
  ASSERT_TRUE(e.cl.parse({"--db", "a", "--db=b", "--comment=", "status"}));
  EXPECT_EQ(e.db, "b");
  EXPECT_EQ(e.comment, "") << "--comment= is an empty comment, not the next argument";
  EXPECT_EQ(e.words, std::vector<std::string>{"status"});
}

TEST(CommandLine, ErrorsNameTheArgumentInOneLine) {
  EXPECT_EQ(Example().error({"status", "--db"}), "--db: expected a value");
  EXPECT_EQ(Example().error({"--db=", "status"}), "--db: expected a non-empty value");
  EXPECT_EQ(Example().error({"--db", ""}), "--db: expected a non-empty value");
  EXPECT_EQ(Example().error({"--bogus", "status"}), "--bogus: unknown option");
  EXPECT_EQ(Example().error({"--bogus=1"}), "--bogus: unknown option");
  EXPECT_EQ(Example().error({"-q"}), "-q: unknown option");
  EXPECT_EQ(Example().error({"--json=1"}), "--json: expected no value");
  EXPECT_EQ(Example().error({"--help=yes"}), "--help: expected no value");
  EXPECT_EQ(Example().cl.usageError("--db: expected a value"),
            "example: --db: expected a value; try --help\n");
}

TEST(CommandLine, StrayArgumentsWithoutPositionals) {
  bool flag = false;
  CommandLine cl("p", "p");
  cl.flag("--flag", flag, "a flag");
  auto r = cl.parse({"--flag", "extra"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "extra: unexpected argument");
}

TEST(CommandLine, HelpLayout) {
  EXPECT_EQ(Example().cl.help(),
            "Usage: example [OPTIONS] COMMAND\n"
            "         [ARGS]\n"
            "\n"
            "Does things.\n"
            "\n"
            "Options:\n"
            "  --db PATH              the database\n"
            "  --comment TEXT         why\n"
            "                         second line\n"
            "  --socket PATH          a socket\n"
            "  --json                 machine-readable\n"
            "  -h, --help             print this help\n"
            "\n"
            "Exit codes: 0, 64.\n");
}

TEST(CommandLine, VersionLineNamesProgramVersionAndRevision) {
  EXPECT_TRUE(versionLine("example").starts_with("example " IBACKUPMON_VERSION " (revision "))
      << versionLine("example");
}

}  // namespace
}  // namespace ibackupmon::cli

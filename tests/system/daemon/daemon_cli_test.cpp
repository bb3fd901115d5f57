// SPDX-License-Identifier: Apache-2.0
// ibackupmond's command line as an admin uses it: --check-config, --print-config, bad arguments.
#include <gtest/gtest.h>

#include "process_harness.h"

namespace ibackupmon::testing {
namespace {

const std::string kExample = std::string(IBACKUPMON_SOURCE_DIR) + "/config/ibackupmon.toml.example";

TEST(DaemonCli, CheckConfigAcceptsTheExample) {
  TempDir dir;
  const auto r = runProcess({kDaemon, "--check-config", "--config", kExample}, dir);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(DaemonCli, CheckConfigPrintsWrongTypeUnknownKeyAndBadDurationTogether) {
  TempDir dir;
  dir.write("bad.toml",
            "[probe]\n"
            "concurrency = \"eight\"\n"
            "intervall = \"5m\"\n"
            "[backup]\n"
            "stale_after = \"36 hours\"\n");
  const std::string path = dir.file("bad.toml");
  const auto r = runProcess({kDaemon, "--check-config", "--config", path}, dir);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(path + ":2:15: probe.concurrency: expected an integer"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(path + ":3:1: probe.intervall: expected a key of [probe] (did you mean "
                              "\"interval\"?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(path + ":5:15: backup.stale_after: expected a duration"), std::string::npos)
      << r.err;
}

TEST(DaemonCli, CheckConfigRejectsAControlSocketOnTheDatabase) {
  TempDir dir;
  for (const std::string socket : {"state.db", "state.db-wal", "./state.db-shm"}) {
    dir.write("bad.toml", "[storage]\npath = \"" + dir.file("state.db") +
                              "\"\n[alerts]\ncontrol_socket = \"" + dir.file(socket) + "\"\n");
    const auto r = runProcess({kDaemon, "--check-config", "--config", dir.file("bad.toml")}, dir);
    EXPECT_EQ(r.exitCode, 1) << socket << "\n" << r.err;
    EXPECT_NE(r.err.find(dir.file("bad.toml") +
                         ":4:18: alerts.control_socket: expected a path other than the database"),
              std::string::npos)
        << r.err;
  }
}

TEST(DaemonCli, PrintConfigOutputPassesCheckConfig) {
  TempDir dir;
  dir.write("in.toml",
            "[probe]\ninterval = \"90s\"\n[[device]]\nudid = \"abc\"\nlabel = \"A \\\"B\\\"\"\n");
  const auto printed =
      runProcess({kDaemon, "--print-config", "--config=" + dir.file("in.toml")}, dir);
  ASSERT_EQ(printed.exitCode, 0) << printed.err;
  EXPECT_NE(printed.out.find("interval = \"1m30s\""), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("listen = \"0.0.0.0:9847\""), std::string::npos);
  dir.write("out.toml", printed.out);
  const auto checked =
      runProcess({kDaemon, "--check-config", "--config", dir.file("out.toml")}, dir);
  EXPECT_EQ(checked.exitCode, 0) << checked.err;
  const auto again = runProcess({kDaemon, "--print-config", "--config", dir.file("out.toml")}, dir);
  // Same settings both times (only the "from FILE" comment differs).
  EXPECT_EQ(again.out.substr(again.out.find('\n')), printed.out.substr(printed.out.find('\n')));
}

TEST(DaemonCli, MissingExplicitConfigIsAnError) {
  TempDir dir;
  const auto r = runProcess({kDaemon, "--check-config", "--config", dir.file("absent.toml")}, dir);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("absent.toml: cannot read configuration file"), std::string::npos) << r.err;
  const auto run = runProcess({kDaemon, "--config", dir.file("absent.toml")}, dir);
  EXPECT_EQ(run.exitCode, 1) << run.err;
}

TEST(DaemonCli, BadArgumentsExitTwoWithAClearMessage) {
  TempDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{kDaemon, "--frobnicate"},
                                             {kDaemon, "--config"},
                                             {kDaemon, "extra"},
                                             {kDaemon, "--check-config", "--print-config"},
                                             {kDaemon, "--version=3"}}) {
    const auto r = runProcess(args, dir);
    EXPECT_EQ(r.exitCode, 2) << args.back();
    EXPECT_NE(r.err.find("ibackupmond: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--help"), std::string::npos) << r.err;
  }
}

TEST(DaemonCli, BadArgumentsAreOneUsageLine) {
  TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{kDaemon, "--check-config", "--config"}, "--config: expected a value"},
      {{kDaemon, "--config=", "--check-config"}, "--config: expected a non-empty value"},
      {{kDaemon, "--chek-config"}, "--chek-config: unknown option"},
      {{kDaemon, "extra"}, "extra: unexpected argument"},
      {{kDaemon, "--version=3"}, "--version: expected no value"},
      {{kDaemon, "--check-config", "--print-config"},
       "--check-config: cannot be combined with --print-config"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = runProcess(args, dir);
    EXPECT_EQ(r.exitCode, 2) << message;
    EXPECT_EQ(r.err, "ibackupmond: " + message + "; try --help\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST(DaemonCli, ConfigValueAfterASpaceOrAnEqualsSign) {
  TempDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{kDaemon, "--config", kExample, "--check-config"},
                                             {kDaemon, "--check-config", "--config=" + kExample}}) {
    const auto r = runProcess(args, dir);
    EXPECT_EQ(r.exitCode, 0) << args.back() << "\n" << r.err;
  }
  const auto absent =
      runProcess({kDaemon, "--check-config", "--config=" + dir.file("x.toml")}, dir);
  EXPECT_EQ(absent.exitCode, 1) << "the value after '=' is the file read";
  EXPECT_NE(absent.err.find("x.toml"), std::string::npos) << absent.err;
}

TEST(DaemonCli, VersionAndHelp) {
  TempDir dir;
  const auto v = runProcess({kDaemon, "--version"}, dir);
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_TRUE(v.out.starts_with("ibackupmond " IBACKUPMON_VERSION " (revision ")) << v.out;
  const auto h = runProcess({kDaemon, "--help"}, dir);
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_TRUE(h.out.starts_with("Usage: ibackupmond [--config PATH]")) << h.out;
  for (const char* option : {"--config PATH", "--check-config", "--print-config",
                             "--send-test-alert", "--version", "-h, --help"}) {
    EXPECT_NE(h.out.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(runProcess({kDaemon, "-h"}, dir).out, h.out);
}

}  // namespace
}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
// The real ibackupmond under a fake systemd: READY, reload with a broken file, watchdog, stop.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "process_harness.h"

namespace ibackupmon::testing {
namespace {

using namespace std::chrono_literals;

std::string validConfig(const TempDir& dir, const std::string& level = "info",
                        const std::string& listen = "127.0.0.1:0",
                        const std::string& controlSocket = "control.sock") {
  return "[storage]\npath = \"" + dir.file("state.db") + "\"\n[metrics]\nlisten = \"" + listen +
         "\"\n[log]\nlevel = \"" + level + "\"\n[alerts]\ncontrol_socket = \"" +
         dir.file(controlSocket) + "\"\n";
}

// A UNIX stream socket bound at `path`; listening unless `listen` is false. Closing it leaves the
// file behind, as a crashed daemon does.
int boundSocket(const std::string& path, bool listen) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      (listen && ::listen(fd, 4) != 0)) {
    ADD_FAILURE() << "cannot bind " << path << ": " << std::strerror(errno);
  }
  return fd;
}

bool isSocket(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

class DaemonTest : public ::testing::Test {
 protected:
  DaemonTest() : notify_(dir_.file("notify.sock")) {}

  std::unique_ptr<ChildProcess> start(std::map<std::string, std::string> env = {}) {
    env["NOTIFY_SOCKET"] = notify_.path();
    // Keep the daemon away from a real usbmuxd on the test machine.
    env["USBMUXD_SOCKET_ADDRESS"] = "UNIX:" + dir_.file("no-usbmuxd.sock");
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{kDaemon, "--config", dir_.file("ibackupmon.toml")}, env, dir_);
  }

  void expectCleanStop(ChildProcess& daemon, int sig) {
    daemon.signal(sig);
    EXPECT_TRUE(notify_.waitFor("STOPPING=1", in(30s))) << daemon.err();
    const auto code = daemon.waitExit(in(30s));
    ASSERT_TRUE(code.has_value()) << "still running 5 s after the signal\n" << daemon.err();
    EXPECT_EQ(*code, 0) << daemon.err();
  }

  TempDir dir_;
  NotifySocket notify_;
};

// READY=1 promises a usable database: at that moment the file exists and is fully migrated.
TEST_F(DaemonTest, ReadyOnlyAfterTheDatabaseIsOpenAndMigrated) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  std::ifstream db(dir_.file("state.db"), std::ios::binary);
  std::string header(16, '\0');
  db.read(header.data(), 16);
  EXPECT_EQ(header, std::string("SQLite format 3\0", 16));
  const auto version =
      runProcess({"sqlite3", "-readonly", dir_.file("state.db"), "PRAGMA user_version"},
                 {.err = Output::inherit()});
  ASSERT_FALSE(version.out.empty()) << version.exitCode;
  EXPECT_GE(std::atoi(version.out.c_str()), 2)
      << "schema not migrated at READY: user_version " << version.out;
  expectCleanStop(*daemon, SIGTERM);
}

// A device unplugged during its TLS session makes libimobiledevice write to a socket whose peer is
// gone (OpenSSL's socket BIO, no MSG_NOSIGNAL): SIGPIPE must be ignored. SIGPIPE is delivered
// before the later SIGTERM, so a clean exit 0 proves the daemon lived through it.
TEST_F(DaemonTest, SigpipeDoesNotEndTheDaemon) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  daemon->signal(SIGPIPE);
  expectCleanStop(*daemon, SIGTERM);
}

// A database that cannot be opened is a startup error: exit non-zero, never READY=1.
TEST_F(DaemonTest, UnopenableDatabaseExitsWithoutReady) {
  dir_.write("state.db", "this is not an SQLite database, it is a text file of garbage.....");
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  const auto code = daemon->waitExit(in(30s));
  ASSERT_TRUE(code.has_value()) << daemon->err();
  EXPECT_NE(*code, 0);
  EXPECT_NE(daemon->err().find("state.db"), std::string::npos) << daemon->err();
  for (const auto& m : notify_.messages()) EXPECT_EQ(m.find("READY=1"), std::string::npos);
}

// [alerts] control_socket only ever replaces a socket: a file there is a start-up error naming the
// path, and the file stays as it was.
TEST_F(DaemonTest, ControlSocketPathHoldingAFileIsAStartupErrorAndTheFileStays) {
  const std::string content = "notes an admin keeps next to the socket\n";
  dir_.write("notes.txt", content);
  dir_.write("ibackupmon.toml", validConfig(dir_, "info", "127.0.0.1:0", "notes.txt"));
  auto daemon = start();
  const auto code = daemon->waitExit(in(30s));
  ASSERT_TRUE(code.has_value()) << "still running with a regular file at control_socket\n"
                                << daemon->err();
  EXPECT_NE(*code, 0);
  EXPECT_NE(daemon->err().find(dir_.file("notes.txt") + ": exists and is a regular file, not a "
                                                        "socket; refusing to replace it"),
            std::string::npos)
      << daemon->err();
  EXPECT_EQ(readFile(dir_.file("notes.txt")), content);
  for (const auto& m : notify_.messages()) EXPECT_EQ(m.find("READY=1"), std::string::npos);
}

// A socket somebody listens on belongs to another daemon: refuse to start, leave it alone.
TEST_F(DaemonTest, ControlSocketOfAnotherLiveDaemonIsAStartupError) {
  const int other = boundSocket(dir_.file("control.sock"), true);
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  const auto code = daemon->waitExit(in(30s));
  ASSERT_TRUE(code.has_value()) << "started beside a live control socket\n" << daemon->err();
  EXPECT_NE(*code, 0);
  EXPECT_NE(daemon->err().find(dir_.file("control.sock") +
                               ": another process is listening on it (is another ibackupmond "
                               "running?)"),
            std::string::npos)
      << daemon->err();
  EXPECT_TRUE(isSocket(dir_.file("control.sock")));
  ::close(other);
}

// A socket nobody listens on is left from a crash: replaced, and the daemon starts.
TEST_F(DaemonTest, StaleControlSocketIsReplaced) {
  ::close(boundSocket(dir_.file("control.sock"), false));
  ASSERT_TRUE(isSocket(dir_.file("control.sock")));
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, dir_.file("control.sock").c_str(), sizeof(addr.sun_path) - 1);
  EXPECT_EQ(::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << std::strerror(errno);
  ::close(probe);
  expectCleanStop(*daemon, SIGTERM);
}

// control_socket = storage.path is invalid configuration: the daemon never starts on it, and the
// history in the database survives.
TEST_F(DaemonTest, ControlSocketOnTheDatabaseKeepsTheHistory) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto first = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << first->err();
  expectCleanStop(*first, SIGTERM);
  const auto size = std::filesystem::file_size(dir_.file("state.db"));
  ASSERT_GT(size, 0u);

  dir_.write("ibackupmon.toml", validConfig(dir_, "info", "127.0.0.1:0", "state.db"));
  auto second = start();
  const auto code = second->waitExit(in(30s));
  ASSERT_TRUE(code.has_value()) << "running with control_socket = storage.path\n" << second->err();
  EXPECT_EQ(*code, 1);
  EXPECT_NE(second->err().find("alerts.control_socket: expected a path other than the database"),
            std::string::npos)
      << second->err();
  EXPECT_FALSE(isSocket(dir_.file("state.db")));
  std::ifstream db(dir_.file("state.db"), std::ios::binary);
  std::string header(16, '\0');
  db.read(header.data(), 16);
  EXPECT_EQ(header, std::string("SQLite format 3\0", 16));
  EXPECT_EQ(std::filesystem::file_size(dir_.file("state.db")), size);
}

TEST_F(DaemonTest, ReadyThenBrokenReloadKeepsRunningThenStopsOnSigterm) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  EXPECT_TRUE(daemon->running());

  dir_.write("ibackupmon.toml", "[probe]\ninterval = \"soon\"\nconcurrency = \"many\"\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(notify_.waitFor("RELOADING=1", in(30s))) << daemon->err();
  EXPECT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  EXPECT_TRUE(daemon->waitForErr("keeping previous configuration", in(30s))) << daemon->err();
  // Both errors of the broken file are logged, with their positions.
  EXPECT_NE(daemon->err().find("ibackupmon.toml:2:12: probe.interval"), std::string::npos)
      << daemon->err();
  EXPECT_NE(daemon->err().find("ibackupmon.toml:3:15: probe.concurrency"), std::string::npos);
  EXPECT_TRUE(daemon->running());
  bool sawMonotonic = false;
  for (const auto& m : notify_.messages()) {
    if (m.find("RELOADING=1") != std::string::npos) {
      sawMonotonic = m.find("MONOTONIC_USEC=") != std::string::npos;
    }
  }
  EXPECT_TRUE(sawMonotonic) << "RELOADING=1 without MONOTONIC_USEC";

  expectCleanStop(*daemon, SIGTERM);
}

TEST_F(DaemonTest, GoodReloadAppliesAndFlagsRestartOnlyKeys) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  dir_.write("ibackupmon.toml", validConfig(dir_, "debug", "127.0.0.1:1"));
  daemon->signal(SIGHUP);
  ASSERT_TRUE(notify_.waitFor("RELOADING=1", in(30s)));
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s)));
  EXPECT_TRUE(daemon->waitForErr("configuration reloaded", in(30s))) << daemon->err();
  EXPECT_NE(daemon->err().find("metrics.listen changed from \"127.0.0.1:0\" to \"127.0.0.1:1\": "
                               "requires restart"),
            std::string::npos)
      << daemon->err();
  EXPECT_EQ(daemon->err().find("keeping previous configuration"), std::string::npos);
  expectCleanStop(*daemon, SIGINT);
}

TEST_F(DaemonTest, WatchdogPingsAtHalfTheInterval) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start({{"WATCHDOG_USEC", "200000"}});  // 0.2 s: a ping every 0.1 s
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  // Two seconds hold about twenty pings; a loose lower bound keeps a loaded machine from failing.
  EXPECT_GE(notify_.countUntil("WATCHDOG=1", in(2s)), 6);
  expectCleanStop(*daemon, SIGTERM);
}

TEST_F(DaemonTest, NoWatchdogPingsWhenNotAsked) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto daemon = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s))) << daemon->err();
  daemon->signal(SIGTERM);
  ASSERT_TRUE(daemon->waitExit(in(30s)).has_value());
  for (const auto& m : notify_.messages()) EXPECT_EQ(m.find("WATCHDOG=1"), std::string::npos);
}

TEST_F(DaemonTest, InvalidConfigAtStartExitsOneWithoutReady) {
  dir_.write("ibackupmon.toml", "[log]\nlevel = \"chatty\"\n");
  auto daemon = start();
  const auto code = daemon->waitExit(in(30s));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(daemon->err().find("ibackupmon.toml:2:9: log.level: expected one of"),
            std::string::npos)
      << daemon->err();
  for (const auto& m : notify_.messages()) EXPECT_EQ(m.find("READY=1"), std::string::npos);
}

TEST_F(DaemonTest, TimestampsOnlyOutsideSystemd) {
  dir_.write("ibackupmon.toml", validConfig(dir_));
  auto plain = start();
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s)));
  plain->signal(SIGTERM);
  ASSERT_TRUE(plain->waitExit(in(30s)).has_value());
  EXPECT_TRUE(plain->err().starts_with("20")) << plain->err();  // 2026-11-24T...

  auto journal = start({{"JOURNAL_STREAM", "8:12345"}});
  ASSERT_TRUE(notify_.waitFor("READY=1", in(30s)));
  journal->signal(SIGTERM);
  ASSERT_TRUE(journal->waitExit(in(30s)).has_value());
  EXPECT_TRUE(journal->err().starts_with("<6>ibackupmond")) << journal->err();
}

}  // namespace
}  // namespace ibackupmon::testing

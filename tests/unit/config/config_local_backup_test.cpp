// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/config_validate.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Expected<Config> parseLocal(const std::string& text) {
  return loadConfigFromString(text, "b.toml");
}

// A fresh directory holding, when asked, an executable "idevicebackup2"; PATH points at it for
// the test's lifetime and is put back after.
class FakePath {
 public:
  explicit FakePath(bool withProgram, bool executable = true) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ibackupmon-path-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (withProgram) {
      const auto program = dir_ / "idevicebackup2";
      std::ofstream(program) << "#!/bin/sh\nexit 0\n";
      ::chmod(program.c_str(), executable ? 0755 : 0644);
    }
    if (const char* old = std::getenv("PATH")) saved_ = old;
    ::setenv("PATH", dir_.c_str(), 1);
  }
  ~FakePath() {
    if (saved_) {
      ::setenv("PATH", saved_->c_str(), 1);
    } else {
      ::unsetenv("PATH");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  FakePath(const FakePath&) = delete;
  FakePath& operator=(const FakePath&) = delete;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::optional<std::string> saved_;
};

bool failsWith(const Expected<Config>& c, const std::string& text) {
  return !c && c.error().message.find(text) != std::string::npos;
}

TEST(LocalBackupConfig, OffByDefaultWithTheDocumentedDefaults) {
  const LocalBackupConfig b;
  EXPECT_FALSE(b.enable);
  EXPECT_EQ(b.directory, "/var/lib/ibackupmon/backups");
  EXPECT_EQ(b.when, LocalBackupWhen::Stale);
  ASSERT_TRUE(b.window);
  EXPECT_EQ(formatDailyWindow(*b.window), "20:00-06:00");
  EXPECT_EQ(b.maxConcurrent, 1);
  EXPECT_EQ(b.minFreeSpace, 20ull << 30);
  EXPECT_EQ(b.maxTotalSize, 0u);
  EXPECT_TRUE(b.keepPrevious);
  EXPECT_EQ(b.fullEvery, hours(24 * 30));
  EXPECT_EQ(b.timeout, hours(6));
  EXPECT_FALSE(b.tryPasscodeDevices);
  EXPECT_EQ(b.minBattery, 30);
  EXPECT_STREQ(toString(b.when), "stale");
}

TEST(LocalBackupConfig, ReadsEveryKey) {
  const FakePath path(true);
  auto c = parseLocal(R"([local_backup]
enable = true
directory = "/srv/ipad-backups"
when = "stale"
window = ""
max_concurrent = 3
min_free_space = "500MB"
max_total_size = "2TiB"
keep_previous = false
full_every = "7d"
timeout = "90m"
try_passcode_devices = true
min_battery = 50
)");
  ASSERT_TRUE(c) << c.error().message;
  const auto& b = c->localBackup;
  EXPECT_TRUE(b.enable);
  EXPECT_EQ(b.directory, "/srv/ipad-backups");
  EXPECT_FALSE(b.window.has_value());
  EXPECT_EQ(b.maxConcurrent, 3);
  EXPECT_EQ(b.minFreeSpace, 500'000'000u);
  EXPECT_EQ(b.maxTotalSize, 2ull << 40);
  EXPECT_FALSE(b.keepPrevious);
  EXPECT_EQ(b.fullEvery, hours(24 * 7));
  EXPECT_EQ(b.timeout, minutes(90));
  EXPECT_TRUE(b.tryPasscodeDevices);
  EXPECT_EQ(b.minBattery, 50);
}

TEST(LocalBackupConfig, SizesTakeDecimalAndBinaryUnits) {
  const std::pair<const char*, std::uint64_t> cases[] = {
      {"\"0B\"", 0},
      {"\"1500B\"", 1500},
      {"\"3KB\"", 3000},
      {"\"3KiB\"", 3072},
      {"\"20GB\"", 20'000'000'000},
      {"\"20GiB\"", 20ull << 30},
      {"\"1TB\"", 1'000'000'000'000},
      {"\"1TiB\"", 1ull << 40},
      {"4096", 4096},
  };
  for (const auto& [text, bytes] : cases) {
    auto c = parseLocal(std::string("[local_backup]\nmax_total_size = ") + text + "\n");
    ASSERT_TRUE(c) << text << ": " << c.error().message;
    EXPECT_EQ(c->localBackup.maxTotalSize, bytes) << text;
  }
  for (const char* bad : {"\"20 GB\"", "\"20gb\"", "\"20G\"", "\"20XB\"", "\"GiB\"", "-1",
                          "\"99999999999999999999B\"", "1.5"}) {
    auto c = parseLocal(std::string("[local_backup]\nmin_free_space = ") + bad + "\n");
    EXPECT_TRUE(failsWith(c, "b.toml:2:18: local_backup.min_free_space: expected a size in bytes"))
        << bad << ": " << (c ? std::string("accepted") : c.error().message);
  }
}

TEST(LocalBackupConfig, BadValuesNameFileLineColumnAndKey) {
  auto c = parseLocal(R"([local_backup]
directory = "backups"
when = "always"
window = "20:00-20:00"
max_concurrent = 9
min_battery = 101
timeout = "8d"
full_every = "monthly"
keep_previous = "yes"
try_passcode = true
)");
  ASSERT_FALSE(c);
  const std::string& e = c.error().message;
  EXPECT_NE(e.find("b.toml:2:13: local_backup.directory: expected an absolute directory path"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("b.toml:3:8: local_backup.when: expected one of \"stale\""), std::string::npos)
      << e;
  EXPECT_NE(e.find("b.toml:4:10: local_backup.window: expected \"\" or a span of host local time"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("local_backup.max_concurrent: expected an integer from 1 to 8"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("local_backup.min_battery: expected an integer from 0 to 100"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("local_backup.timeout: expected a duration from 1s to 7d"), std::string::npos)
      << e;
  EXPECT_NE(e.find("b.toml:8:14: local_backup.full_every: expected a duration"), std::string::npos)
      << e;
  EXPECT_NE(e.find("local_backup.keep_previous: expected true or false"), std::string::npos) << e;
  EXPECT_NE(e.find("local_backup.try_passcode"), std::string::npos) << e;
}

TEST(LocalBackupConfig, DirectoryMustBeAbsoluteAndPlain) {
  for (const char* bad : {"", "/", "relative/dir", "/var/lib/../tmp", "/var/./lib", "/a/.."}) {
    EXPECT_TRUE(failsWith(parseLocal(std::string("[local_backup]\ndirectory = \"") + bad + "\"\n"),
                          "local_backup.directory: expected an absolute directory path"))
        << bad;
  }
  EXPECT_TRUE(parseLocal("[local_backup]\ndirectory = \"/srv/backups/\"\n"));
  EXPECT_TRUE(parseLocal("[local_backup]\ndirectory = \"/srv/..backups\"\n"));
}

TEST(LocalBackupConfig, EnableNeedsExpectIcloud) {
  const FakePath path(true);
  auto c = parseLocal("[backup]\nexpect = \"computer\"\n[local_backup]\nenable = true\n");
  EXPECT_TRUE(
      failsWith(c,
                "b.toml:4:10: local_backup.enable: expected [backup] expect = \"icloud\" when "
                "[local_backup] enable = true"))
      << (c ? std::string("accepted") : c.error().message);
  EXPECT_TRUE(failsWith(c, "found backup.expect = \"computer\""));
  EXPECT_TRUE(
      failsWith(parseLocal("[backup]\nexpect = \"either\"\n[local_backup]\nenable = true\n"),
                "found backup.expect = \"either\""));
  EXPECT_TRUE(parseLocal("[backup]\nexpect = \"computer\"\n[local_backup]\nenable = false\n"));
  EXPECT_TRUE(parseLocal("[backup]\nexpect = \"icloud\"\n[local_backup]\nenable = true\n"));
}

TEST(LocalBackupConfig, EnableNeedsIdevicebackup2OnPath) {
  const std::string text = "[local_backup]\nenable = true\n";
  {
    const FakePath path(false);
    auto c = parseLocal(text);
    EXPECT_TRUE(failsWith(c,
                          "b.toml:2:10: local_backup.enable: expected idevicebackup2 on PATH: "
                          "[local_backup] enable = true needs idevicebackup2 (Debian package "
                          "libimobiledevice-utils), found none in PATH \"" +
                              path.dir().string() + "\""))
        << (c ? std::string("accepted") : c.error().message);
    // Off, it is not needed.
    EXPECT_TRUE(parseLocal("[local_backup]\nenable = false\n"));
  }
  {
    const FakePath path(true, false);  // present but not executable
    EXPECT_TRUE(failsWith(parseLocal(text), "needs idevicebackup2"));
  }
  {
    const FakePath path(true);
    auto c = parseLocal(text);
    EXPECT_TRUE(c) << c.error().message;
  }
}

TEST(LocalBackupConfig, BothEnableErrorsAreReportedAtOnce) {
  const FakePath path(false);
  auto c = parseLocal("[backup]\nexpect = \"computer\"\n[local_backup]\nenable = true\n");
  EXPECT_TRUE(failsWith(c, "expect = \"icloud\""));
  EXPECT_TRUE(failsWith(c, "needs idevicebackup2"));
}

TEST(FindProgram, SearchesEachEntryInOrder) {
  const FakePath first(false);
  const FakePath second(true);
  const std::string search = first.dir().string() + ":" + second.dir().string();
  EXPECT_EQ(findProgram("idevicebackup2", search), (second.dir() / "idevicebackup2").string());
  EXPECT_EQ(findProgram("idevicebackup2", first.dir().string()), std::nullopt);
  EXPECT_EQ(findProgram("idevicebackup2", ""), std::nullopt);  // "" is the working directory
  EXPECT_EQ(findProgram("", search), std::nullopt);
  EXPECT_EQ(findProgram("a/idevicebackup2", search), std::nullopt);
  // A directory of that name is not a program.
  std::filesystem::create_directory(first.dir() / "tool");
  EXPECT_EQ(findProgram("tool", first.dir().string()), std::nullopt);
}

TEST(LocalBackupConfig, RendersAndRoundTrips) {
  const FakePath path(true);
  Config c;
  c.sourcePath = "x.toml";
  c.localBackup.enable = true;
  c.localBackup.directory = "/srv/backups";
  c.localBackup.window.reset();
  c.localBackup.maxConcurrent = 2;
  c.localBackup.minFreeSpace = 1'500'000'000;
  c.localBackup.maxTotalSize = 3ull << 40;
  c.localBackup.fullEvery = Duration::zero();
  c.localBackup.tryPasscodeDevices = true;
  c.localBackup.minBattery = 0;
  const std::string text = renderConfig(c);
  EXPECT_NE(text.find("[local_backup]\nenable = true\ndirectory = \"/srv/backups\"\n"
                      "when = \"stale\"\nwindow = \"\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("max_total_size = \"3TiB\""), std::string::npos) << text;
  auto back = loadConfigFromString(text, "x.toml");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, c);
  EXPECT_NE(renderConfig(Config{}).find("window = \"20:00-06:00\"\nmax_concurrent = 1\n"
                                        "min_free_space = \"20GiB\"\nmax_total_size = \"0B\"\n"),
            std::string::npos);
}

TEST(LocalBackupConfig, DirectoryNeedsARestartTheRestIsReloadable) {
  Config running;
  Config next;
  next.localBackup.enable = true;
  next.localBackup.maxConcurrent = 4;
  next.localBackup.window.reset();
  EXPECT_TRUE(restartRequiredChanges(running, next).empty());
  EXPECT_EQ(withRunningRestartKeys(next, running).localBackup, next.localBackup);
  next.localBackup.directory = "/srv/elsewhere";
  const auto changes = restartRequiredChanges(running, next);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].key, "local_backup.directory");
  EXPECT_EQ(changes[0].running, "/var/lib/ibackupmon/backups");
  EXPECT_EQ(changes[0].requested, "/srv/elsewhere");
  const Config applied = withRunningRestartKeys(next, running);
  EXPECT_EQ(applied.localBackup.directory, running.localBackup.directory);
  EXPECT_EQ(applied.localBackup.maxConcurrent, 4);
}

}  // namespace
}  // namespace ibackupmon

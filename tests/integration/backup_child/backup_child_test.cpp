// SPDX-License-Identifier: Apache-2.0
// Debian's idevicebackup2 run through BackupChild against ibackupmon-sim, with the backup-folder
// safety net around each run: a run that succeeds, one the device breaks off half-way and one that
// times out are rolled back to the last finished backup, byte for byte; ErrorCode 208 is read from
// the tool's output although its exit status says 48.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>

#include "backup/backup_child.h"
#include "backup/backup_folder.h"
#include "backup/backup_output.h"
#include "sim_fixture.h"
#include "support/process_group.h"

namespace ibackupmon::backup {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kUdid = "00008110-0000BAC0000000C1";
constexpr const char* kLockedUdid = "00008110-0000BAC0000000C2";

// File (relative path) -> FNV-1a 64 of its content, for every file of a backup folder.
std::map<std::string, std::uint64_t> checksums(const fs::path& dir) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::uint64_t h = 1469598103934665603ull;
    char c;
    while (in.get(c)) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    out[e.path().lexically_relative(dir).string()] = h;
  }
  return out;
}

std::string tailText(const ChildResult& r) {
  std::string text;
  for (const auto& line : r.output.tail) text += "  " + line + "\n";
  return text + "  spawn: " + r.spawnError;
}

class BackupChildIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* configured = std::getenv("IDEVICEBACKUP2");  // NOLINT(concurrency-mt-unsafe)
    auto found = findProgram(configured && *configured ? configured : "idevicebackup2");
    if (!found) GTEST_SKIP() << "idevicebackup2 (Debian package libimobiledevice-utils) not found";
    tool_ = *found;
    ASSERT_TRUE(sim_.start()) << sim_.error();
    root_ = fs::path(sim_.dir()) / "backups";
    ASSERT_TRUE(ensureRoot(root_));
  }

  // One run of `idevicebackup2 -u UDID backup ROOT`; progress values as they were reported.
  ChildResult run(const std::string& udid, std::chrono::milliseconds timeout = 120s,
                  std::vector<double>* progress = nullptr, pid_t* pgid = nullptr) {
    std::promise<ChildResult> done;
    auto child = BackupChild::start(
        {.program = tool_,
         .args = backupArguments(udid, root_.string(), false),
         .timeout = timeout,
         .killAfter = 3s,
         .env = sim_.env()},
        [progress](double p) {
          if (progress) progress->push_back(p);
        },
        [&done](ChildResult r) { done.set_value(std::move(r)); });
    EXPECT_TRUE(child) << child.error().message;
    if (!child) return {};
    if (pgid) *pgid = (*child)->pid();
    auto future = done.get_future();
    EXPECT_EQ(future.wait_for(150s), std::future_status::ready);
    return future.get();
  }

  void ctl(const std::vector<std::string>& args) {
    const auto r = sim_.ctl(args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }

  testkit::SimProcess sim_{{.fleet = BACKUP_CHILD_FLEET}};
  std::string tool_;
  fs::path root_;
};

TEST_F(BackupChildIntegration, RunsAreKeptOrRolledBack) {
  // A first backup succeeds, with the device's overall progress along the way.
  std::vector<double> progress;
  const auto first = run(kUdid, 120s, &progress);
  ASSERT_EQ(first.end, ChildEnd::Exited) << tailText(first);
  EXPECT_TRUE(first.succeeded()) << tailText(first);
  EXPECT_EQ(first.exitStatus, 0);
  EXPECT_FALSE(first.output.errorCode);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 100);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  auto info = inspect(root_, kUdid);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->finished);
  ASSERT_TRUE(info->date);
  EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - *info->date), 10min);
  EXPECT_GT(info->bytes, 6u * 150000u);
  EXPECT_FALSE(info->encrypted);
  const fs::path folder = root_ / kUdid;
  const auto afterFirst = checksums(folder);

  // The device is unplugged after one file of the next (incremental) run: rolled back.
  ASSERT_TRUE(preserve(root_, kUdid));
  ctl({"backup", kUdid, "detach", "true"});
  ctl({"backup", kUdid, "after_files", "1"});
  const auto broken = run(kUdid);
  EXPECT_EQ(broken.end, ChildEnd::Exited);
  EXPECT_EQ(broken.exitStatus, 255);
  EXPECT_FALSE(broken.succeeded());
  EXPECT_EQ(broken.output.errorMessage, "Could not receive from mobilebackup2 (-256)")
      << tailText(broken);
  EXPECT_FALSE(inspect(root_, kUdid)->finished);  // the run had begun to write
  EXPECT_NE(checksums(folder), afterFirst);
  ASSERT_TRUE(restorePrevious(root_, kUdid));
  EXPECT_TRUE(inspect(root_, kUdid)->finished);
  EXPECT_EQ(checksums(folder), afterFirst);
  ctl({"backup", kUdid, "reset"});
  ctl({"attach", kUdid});

  // An incremental run that succeeds is kept; the copy goes.
  ASSERT_TRUE(preserve(root_, kUdid));
  const auto second = run(kUdid);
  ASSERT_TRUE(second.succeeded()) << tailText(second);
  ASSERT_TRUE(inspect(root_, kUdid)->finished);
  ASSERT_TRUE(dropPrevious(root_, kUdid));
  EXPECT_FALSE(fs::exists(root_ / ".previous" / kUdid));
  const auto afterSecond = checksums(folder);
  EXPECT_NE(afterSecond, afterFirst);  // sms.db and the rotated log changed

  // A slow run times out: the tool's whole process group goes, the folder is rolled back.
  ASSERT_TRUE(preserve(root_, kUdid));
  ctl({"backup", kUdid, "file_delay_ms", "700"});
  pid_t pgid = -1;
  const auto slow = run(kUdid, 2500ms, nullptr, &pgid);
  EXPECT_EQ(slow.end, ChildEnd::TimedOut) << tailText(slow);
  EXPECT_GE(slow.took, 2500ms);
  EXPECT_LT(slow.took, 2500ms + 3s + 5s);
  EXPECT_FALSE(slow.succeeded());
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(testing::liveGroupMembers(pgid).empty());
  ASSERT_TRUE(restorePrevious(root_, kUdid));
  EXPECT_TRUE(inspect(root_, kUdid)->finished);
  EXPECT_EQ(checksums(folder), afterSecond);
}

TEST_F(BackupChildIntegration, ErrorCode208ComesFromTheOutputNotTheExitStatus) {
  const auto r = run(kLockedUdid);
  EXPECT_EQ(r.end, ChildEnd::Exited);
  EXPECT_EQ(r.exitStatus, 48);  // -208 modulo 256
  EXPECT_EQ(r.output.errorCode, 208) << tailText(r);
  EXPECT_EQ(r.output.errorMessage, "Device locked (MBErrorDomain/208)");
  EXPECT_FALSE(r.output.reportedSuccess);
  EXPECT_FALSE(r.succeeded());
  auto info = inspect(root_, kLockedUdid);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->finished);
}

}  // namespace
}  // namespace ibackupmon::backup

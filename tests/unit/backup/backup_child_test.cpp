// SPDX-License-Identifier: Apache-2.0
// BackupChild on small /bin/sh scripts standing in for idevicebackup2.
#include "backup/backup_child.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <future>

#include "support/process_group.h"
#include "support/wait_for.h"

namespace ibackupmon::backup {
namespace {

using namespace std::chrono_literals;

constexpr auto kBound = std::chrono::seconds(30);  // how long any test waits for an outcome

bool processAlive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

// The number after "NAME=" in the output's tail, or -1.
pid_t pidFromTail(const OutputState& out, const std::string& name) {
  for (const auto& line : out.tail)
    if (line.starts_with(name + "="))
      return static_cast<pid_t>(std::stoi(line.substr(name.size() + 1)));
  return -1;
}

bool printed(const OutputState& out, const std::string& line) {
  return std::find(out.tail.begin(), out.tail.end(), line) != out.tail.end();
}

ChildOptions shell(const std::string& script, std::chrono::milliseconds timeout = kBound) {
  return ChildOptions{.program = "/bin/sh", .args = {"-c", script}, .timeout = timeout};
}

// Runs a child to its end; done's result, the progress values seen and how often done ran.
struct ChildRun {
  std::vector<double> progress;
  std::atomic<int> doneCalls{0};
  std::promise<ChildResult> result;
  std::promise<void> firstProgress;
  bool firstProgressSet = false;

  std::unique_ptr<BackupChild> start(ChildOptions options) {
    auto child = BackupChild::start(
        std::move(options),
        [this](double p) {
          progress.push_back(p);
          if (!firstProgressSet) {
            firstProgressSet = true;
            firstProgress.set_value();
          }
        },
        [this](ChildResult r) {
          if (++doneCalls == 1) result.set_value(std::move(r));
        });
    EXPECT_TRUE(child) << (child ? "" : child.error().message);
    return child ? std::move(*child) : nullptr;
  }
  ChildResult wait() {
    auto future = result.get_future();
    if (future.wait_for(kBound) != std::future_status::ready) {
      ADD_FAILURE() << "the child did not end";
      return {};
    }
    return future.get();
  }
  bool waitProgress() {
    return firstProgress.get_future().wait_for(kBound) == std::future_status::ready;
  }
};

TEST(BackupChildTest, SucceedsWhenExitZeroAndTheToolSaysSo) {
  ChildRun run;
  auto child = run.start(shell(
      "printf '\\r[=====     ]  10%% Finished\\n'; printf '\\r[====      ]  40%% (1 KB/2 KB)     ';"
      "printf '\\r[=====     ]  10%% Finished\\n\\r[======    ]  60%% Finished\\n';"
      "echo 'Backup Successful.'"));
  ASSERT_TRUE(child);
  EXPECT_GT(child->pid(), 0);
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::Exited);
  EXPECT_EQ(r.exitStatus, 0);
  EXPECT_FALSE(r.signal);
  EXPECT_TRUE(r.output.reportedSuccess);
  EXPECT_TRUE(r.succeeded());
  // The last value of what each read brought, each change once: 60, or 10 then 60.
  ASSERT_FALSE(run.progress.empty());
  EXPECT_EQ(run.progress.back(), 60);
  EXPECT_LE(run.progress.size(), 2u);
  EXPECT_EQ(run.progress.front(), run.progress.size() == 2 ? 10 : 60);
  EXPECT_EQ(run.doneCalls, 1);
}

TEST(BackupChildTest, ExitZeroWithoutTheSuccessLineIsNoSuccess) {
  ChildRun run;
  auto child = run.start(shell("echo 'Received 0 files from device.'"));
  const auto r = run.wait();
  EXPECT_EQ(r.exitStatus, 0);
  EXPECT_FALSE(r.succeeded());
}

TEST(BackupChildTest, OneMergedPipeEmptyStdinOwnGroupAndEnvironment) {
  ChildRun run;
  auto options = shell(
      "echo out; echo err >&2; read x; echo \"read=$?\"; echo \"pgid=$(cut -d' ' -f5 "
      "/proc/$$/stat)\";"
      "echo \"extra=$IBACKUPMON_CHILD_TEST\"; ls /proc/$$/fd | tr '\\n' ' '; echo");
  options.env = {{"IBACKUPMON_CHILD_TEST", "42"}};
  auto child = run.start(options);
  ASSERT_TRUE(child);
  const pid_t pid = child->pid();
  const auto r = run.wait();
  EXPECT_TRUE(printed(r.output, "out"));
  EXPECT_TRUE(printed(r.output, "err"));
  EXPECT_TRUE(printed(r.output, "read=1"));  // stdin is /dev/null: end of file at once
  EXPECT_EQ(pidFromTail(r.output, "pgid"), pid);
  EXPECT_TRUE(printed(r.output, "extra=42"));
  // The shell's descriptors: 0, 1, 2 and the one `ls` reads the folder with; none of ours.
  bool sawFdLine = false;
  for (const auto& line : r.output.tail)
    if (line.starts_with("0 1 2")) {
      sawFdLine = true;
      EXPECT_LE(line.size(), std::string("0 1 2 3").size()) << line;
    }
  EXPECT_TRUE(sawFdLine);
}

TEST(BackupChildTest, TheErrorCodeLineDecidesWhenTheExitStatusIsTruncated) {
  ChildRun run;
  // idevicebackup2 returns -208: the shell sees 48.
  auto child = run.start(
      shell("echo 'ErrorCode 208: Device locked (MBErrorDomain/208)'; echo 'Received 0 files from "
            "device.'; echo 'Backup Failed (Error Code 208).'; exit 48"));
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::Exited);
  EXPECT_EQ(r.exitStatus, 48);
  EXPECT_EQ(r.output.errorCode, 208);
  EXPECT_EQ(r.output.errorMessage, "Device locked (MBErrorDomain/208)");
  EXPECT_FALSE(r.succeeded());

  // ErrorCode 256 truncates to exit status 0; the line still says it failed.
  ChildRun run256;
  auto child256 = run256.start(shell(
      "echo 'ErrorCode 256: Backup failed (MBErrorDomain/256)'; echo 'Backup Successful.'; exit "
      "256"));
  const auto r256 = run256.wait();
  EXPECT_EQ(r256.exitStatus, 0);
  EXPECT_EQ(r256.output.errorCode, 256);
  EXPECT_FALSE(r256.succeeded());
}

TEST(BackupChildTest, TimeoutTerminatesTheWholeGroup) {
  ChildRun run;
  // A grandchild that ignores SIGTERM: it goes with the SIGKILL that follows its parent's end.
  auto child = run.start(
      shell("(trap '' TERM; exec sleep 60) & echo \"grandchild=$!\"; exec sleep 60", 1000ms));
  ASSERT_TRUE(child);
  const pid_t pgid = child->pid();
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::TimedOut);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(r.exitStatus);
  EXPECT_GE(r.took, 1000ms);
  EXPECT_LT(r.took, 10s);  // not the SIGKILL grace: sleep dies of SIGTERM
  EXPECT_FALSE(r.succeeded());
  const pid_t grandchild = pidFromTail(r.output, "grandchild");
  ASSERT_GT(grandchild, 0) << "the grandchild was started before the timeout";
  EXPECT_TRUE(testing::waitFor([&] { return testing::liveGroupMembers(pgid).empty(); }));
  EXPECT_FALSE(processAlive(grandchild));
}

TEST(BackupChildTest, AChildTrappingSigtermIsKilledAfterKillAfter) {
  ChildRun run;
  auto options = shell("trap '' TERM; printf '[=  ]   5%% Finished\\n'; while :; do sleep 1; done");
  options.killAfter = 300ms;
  auto child = run.start(options);
  ASSERT_TRUE(child);
  const pid_t pgid = child->pid();
  ASSERT_TRUE(run.waitProgress());  // the trap is set
  const auto stopAt = std::chrono::steady_clock::now();
  child->stop();
  const auto r = run.wait();
  const auto stopTook = std::chrono::steady_clock::now() - stopAt;
  EXPECT_EQ(r.end, ChildEnd::Stopped);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(stopTook, 300ms);
  EXPECT_LT(stopTook, 10s);
  EXPECT_TRUE(testing::waitFor([&] { return testing::liveGroupMembers(pgid).empty(); }));
}

TEST(BackupChildTest, StopEndsWithStopped) {
  ChildRun run;
  auto child = run.start(shell("printf '[=  ]   5%% Finished\\n'; exec sleep 60"));
  ASSERT_TRUE(child);
  ASSERT_TRUE(run.waitProgress());
  child->stop();
  child->stop();  // twice is harmless
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::Stopped);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.output.percent, 5);
  EXPECT_LT(r.took, 10s);
  child.reset();
  EXPECT_EQ(run.doneCalls, 1);
}

TEST(BackupChildTest, AMissingProgramIsSpawnFailed) {
  for (const std::string program : {"/nonexistent/idevicebackup2", "ibackupmon-no-such-tool"}) {
    ChildRun run;
    auto child = run.start({.program = program, .args = {"-u", "x"}, .timeout = 10s});
    ASSERT_TRUE(child);
    EXPECT_EQ(child->pid(), -1);
    const auto r = run.wait();
    EXPECT_EQ(r.end, ChildEnd::SpawnFailed);
    EXPECT_NE(r.spawnError.find("No such file or directory"), std::string::npos) << r.spawnError;
    EXPECT_NE(r.spawnError.find(program), std::string::npos) << r.spawnError;
    EXPECT_FALSE(r.exitStatus);
    EXPECT_FALSE(r.succeeded());
    child.reset();
    EXPECT_EQ(run.doneCalls, 1);
  }
}

TEST(BackupChildTest, UnusableOptionsAreErrors) {
  auto empty = BackupChild::start({.program = "", .timeout = 1s}, nullptr, nullptr);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "backup_child_options");
  auto noTimeout = BackupChild::start({.program = "/bin/true"}, nullptr, nullptr);
  ASSERT_FALSE(noTimeout);
  EXPECT_EQ(noTimeout.error().code, "backup_child_options");
}

TEST(BackupChildTest, TheDestructorLeavesNoProcessBehind) {
  ChildRun run;
  auto options = shell(
      "(trap '' TERM; exec sleep 60) & echo \"grandchild=$!\"; printf '[=  ]   5%% Finished\\n';"
      "trap '' TERM; while :; do sleep 1; done");
  options.killAfter = 500ms;
  auto child = run.start(options);
  ASSERT_TRUE(child);
  const pid_t pgid = child->pid();
  ASSERT_TRUE(run.waitProgress());
  ASSERT_FALSE(testing::liveGroupMembers(pgid).empty());
  child.reset();                // SIGTERM is ignored: SIGKILL after killAfter
  EXPECT_EQ(run.doneCalls, 1);  // done ran before the destructor returned
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::Stopped);
  EXPECT_EQ(r.signal, SIGKILL);
  const pid_t grandchild = pidFromTail(r.output, "grandchild");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(testing::waitFor([&] { return testing::liveGroupMembers(pgid).empty(); }));
  EXPECT_FALSE(processAlive(grandchild));
}

TEST(BackupChildTest, WhatTheChildLeftInItsGroupGoesWhenItExits) {
  ChildRun run;
  // The grandchild holds the output pipe open: the end must not wait for it.
  auto child = run.start(
      shell("(trap '' TERM; exec sleep 60) & echo \"grandchild=$!\"; echo 'Backup Successful.'"));
  ASSERT_TRUE(child);
  const pid_t pgid = child->pid();
  const auto r = run.wait();
  EXPECT_EQ(r.end, ChildEnd::Exited);
  EXPECT_TRUE(r.succeeded());
  EXPECT_LT(r.took, 10s);
  const pid_t grandchild = pidFromTail(r.output, "grandchild");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(testing::waitFor([&] { return testing::liveGroupMembers(pgid).empty(); }));
  EXPECT_FALSE(processAlive(grandchild));
}

TEST(BackupChildTest, DoneMayDestroyTheChild) {
  std::mutex mutex;
  std::unique_ptr<BackupChild> holder;
  std::promise<void> stored, destroyed;
  auto storedFuture = stored.get_future().share();
  auto child =
      BackupChild::start(shell("echo 'Backup Successful.'"), nullptr, [&](const ChildResult&) {
        storedFuture.wait();
        std::lock_guard lock(mutex);
        holder.reset();  // the owner lets go from inside done
        destroyed.set_value();
      });
  ASSERT_TRUE(child);
  {
    std::lock_guard lock(mutex);
    holder = std::move(*child);
  }
  stored.set_value();
  ASSERT_EQ(destroyed.get_future().wait_for(kBound), std::future_status::ready);
  std::lock_guard lock(mutex);
  EXPECT_FALSE(holder);
}

TEST(FindProgramTest, LooksUpPathAndChecksExecutable) {
  const auto sh = findProgram("sh");
  ASSERT_TRUE(sh);
  EXPECT_TRUE(sh->starts_with("/")) << *sh;
  EXPECT_TRUE(sh->ends_with("/sh")) << *sh;
  EXPECT_EQ(findProgram("/bin/sh"), "/bin/sh");
  EXPECT_FALSE(findProgram("ibackupmon-no-such-tool"));
  EXPECT_FALSE(findProgram("/etc/passwd"));  // not executable
  EXPECT_FALSE(findProgram("/usr"));         // a directory
  EXPECT_FALSE(findProgram(""));
}

}  // namespace
}  // namespace ibackupmon::backup

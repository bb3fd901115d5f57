// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Runs idevicebackup2 as a supervised child process: libimobiledevice 1.3.0 calls cannot be
/// cancelled in-process, a process can. One supervisor thread per child reads its output, enforces
/// the timeout and reports the end exactly once.
///
///   auto child = BackupChild::start(
///       {.program = "/usr/bin/idevicebackup2",
///        .args = backupArguments(udid, "/var/lib/ibackupmon/backups", false),
///        .timeout = std::chrono::hours(2)},
///       [&](double percent) { /* post to the owner's strand */ },
///       [&](ChildResult r) { /* post to the owner's strand; r.succeeded() */ });
///
/// The child runs in its own process group with stdin /dev/null, stdout and stderr in one pipe,
/// default signal dispositions, an empty signal mask and no descriptor of ours but 0, 1 and 2.
/// Stopping or a timeout sends SIGTERM to the whole group, then SIGKILL after killAfter. When the
/// child itself has ended, whatever is left of its group gets SIGKILL: nothing outlives it.
/// The child is reaped with waitid on its own pid; a process that ignores SIGCHLD (SIG_IGN) or
/// reaps every child (waitpid(-1)) would take its status away.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backup/backup_output.h"
#include "core/error.h"

namespace ibackupmon::backup {

struct ChildOptions {
  /// An absolute path, or a name looked up in PATH.
  std::string program;
  std::vector<std::string> args;  ///< without argv[0]
  /// From the start; then the group gets SIGTERM and the result says TimedOut.
  std::chrono::milliseconds timeout{0};
  /// Between SIGTERM and SIGKILL.
  std::chrono::milliseconds killAfter{std::chrono::seconds(10)};
  /// Set in the child's environment on top of this process's (e.g. USBMUXD_SOCKET_ADDRESS).
  std::map<std::string, std::string> env;
};

enum class ChildEnd {
  Exited,      ///< it ended by itself (exit or a signal of its own)
  TimedOut,    ///< the timeout struck; exitStatus/signal say how it then ended
  Stopped,     ///< stop() or the destructor
  SpawnFailed  ///< it never ran: spawnError says why
};

const char* childEndName(ChildEnd end);

struct ChildResult {
  ChildEnd end = ChildEnd::SpawnFailed;
  std::optional<int> exitStatus;  ///< 0..255 when it exited
  std::optional<int> signal;      ///< the signal that ended it
  OutputState output;
  std::chrono::milliseconds took{};
  std::string spawnError;

  /// Exited with status 0, no ErrorCode line (or ErrorCode 0) and "Backup Successful." printed.
  bool succeeded() const;
};

class BackupChild {
 public:
  using ProgressFn = std::function<void(double percent)>;  ///< called from the supervisor thread
  using DoneFn = std::function<void(ChildResult)>;  ///< exactly once, from the supervisor thread

  /// Spawns the child and its supervisor. An error when options are unusable (empty program,
  /// timeout not positive) or no pipe or thread could be had; a program that cannot be run
  /// (missing, not executable) is a ChildResult with end SpawnFailed, delivered to done.
  static Expected<std::unique_ptr<BackupChild>> start(ChildOptions options, ProgressFn progress,
                                                      DoneFn done);

  /// Non-blocking: SIGTERM to the child's group, SIGKILL after killAfter; the result says Stopped
  /// (unless it had already ended or timed out). Safe from any thread, also from the callbacks.
  void stop();
  /// Stops the child if it runs and waits for its end (up to killAfter plus the time the kernel
  /// needs): never leaves a process behind. From inside done it does not wait (it cannot).
  ~BackupChild();
  BackupChild(const BackupChild&) = delete;
  BackupChild& operator=(const BackupChild&) = delete;

  /// The child's pid, which is also its process group id; -1 when the spawn failed.
  pid_t pid() const { return pid_; }

 private:
  BackupChild(ChildOptions options, ProgressFn progress, DoneFn done);
  void supervise();
  void superviseSpawnFailure();
  void wake();
  void closeWake();

  ChildOptions options_;
  ProgressFn progress_;
  DoneFn done_;
  pid_t pid_ = -1;
  std::string spawnError_;
  int outFd_ = -1;   // read end of the child's stdout+stderr
  int pidFd_ = -1;   // pidfd of the child (-1 when the kernel has none): wakes poll at its exit
  int wakeFd_ = -1;  // eventfd: stop() wakes the supervisor
  std::mutex wakeMutex_;  // guards wakeFd_ against its closing by the supervisor
  std::atomic<bool> stopRequested_{false};
  std::chrono::steady_clock::time_point started_;
  std::thread thread_;
};

/// `name` looked up in PATH (or taken as it is when it holds a '/'): the absolute path of an
/// executable regular file, or nullopt.
std::optional<std::string> findProgram(const std::string& name);

}  // namespace ibackupmon::backup

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Test harness: runs build/bin programs as child processes, captures their output, and plays
/// systemd's side of the notify protocol on a datagram socket the test owns.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ibackupmon::testing {

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

/// A fresh directory under /tmp, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  void write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// $NOTIFY_SOCKET: a bound AF_UNIX datagram socket; remembers every message received.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path);
  ~NotifySocket();
  const std::string& path() const { return path_; }
  /// Waits for a message containing `needle` received after the last one this matched.
  bool waitFor(const std::string& needle, Deadline deadline);
  /// Messages containing `needle` received until `deadline`.
  int countUntil(const std::string& needle, Deadline deadline);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  bool receiveOne(Deadline deadline);
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  std::size_t cursor_ = 0;
};

struct ProcessResult {
  int exitCode = -1;  ///< -1 when killed by a signal or timed out
  std::string out;
  std::string err;
};

/// A running child with stdout/stderr captured to files.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const TempDir& dir);
  ~ChildProcess();
  void signal(int sig) const;
  bool running();
  /// Exit code once the child exits by itself before `deadline`; nullopt otherwise.
  std::optional<int> waitExit(Deadline deadline);
  std::string err() const;
  std::string out() const;
  bool waitForErr(const std::string& needle, Deadline deadline) const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exitCode_;
  bool reaped_ = false;
  std::string outPath_;
  std::string errPath_;
};

/// Runs to completion (killed after `timeout`).
ProcessResult runProcess(const std::vector<std::string>& argv, const TempDir& dir,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

std::string readFile(const std::string& path);

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Test harness: runs build/bin programs as child processes, captures their output, and plays
/// systemd's side of the notify protocol on a datagram socket the test owns.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace ibackupmon::testing {

/// The daemon under test, from this build.
inline const std::string kDaemon = std::string(IBACKUPMON_BIN_DIR) + "/ibackupmond";

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

/// A build/bin program running as systemd would run the daemon: this process's environment
/// without systemd's own variables (NOTIFY_SOCKET, WATCHDOG_USEC, ...) unless `env` sets them,
/// stdout and stderr in files of `dir` (readable while it runs). Killed (SIGKILL) when destroyed.
class ChildProcess : public Child {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const TempDir& dir);
  std::string err() const;
  std::string out() const;
  bool waitForErr(const std::string& needle, Deadline deadline) const;

 private:
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& pathStem);
  std::string outPath_;
  std::string errPath_;
};

/// Runs to completion as a ChildProcess (killed after `timeout`).
ProcessResult runProcess(const std::vector<std::string>& argv, const TempDir& dir,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

std::string readFile(const std::string& path);

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Runs a program with arguments and extra environment, capturing stdout/stderr, killing it
/// after a timeout. For tests that drive Debian's idevice* tools and our binaries.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ibackupmon::testkit {

struct RunResult {
  int exitCode = -1;  ///< exit status, or -1 when killed by a signal
  bool timedOut = false;
  std::string out;
  std::string err;
};

/// Runs argv[0] (looked up in PATH) to completion or until `timeout` (then SIGKILL).
RunResult runProcess(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Polls `cond` every 20 ms until it holds or `deadline` passes; returns the last result.
bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds deadline);

}  // namespace ibackupmon::testkit

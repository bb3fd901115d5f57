// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Waiting on a condition that another process or thread makes true.

#include <chrono>
#include <functional>
#include <thread>

namespace ibackupmon::testing {

/// Polls `cond` every 20 ms until it holds or `deadline` passes; returns the last result.
inline bool waitFor(const std::function<bool()>& cond,
                    std::chrono::milliseconds deadline = std::chrono::seconds(15)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= end) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace ibackupmon::testing

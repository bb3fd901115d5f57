// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Times what an admin runs on the finished database: `ibackupmonctl status --json` and
/// `ibackupmonctl history UDID --json`, in-process (store + render) and as whole processes.

#include <chrono>
#include <string>
#include <vector>

namespace ibackupmon::bench {

/// This process's CPU time so far, in ms.
double cpuNowMs();
/// Wall time since t0, in ms.
double msSince(std::chrono::steady_clock::time_point t0);

struct Timing {
  double wallMs = 0, cpuMs = 0;  ///< medians
  std::size_t bytes = 0;         ///< output size
};

/// Median over `runs` of loadStatus + the status --json document, in this process.
Timing statusInProcess(const std::string& db, int runs);
/// Median over `runs` of timeline(udid), in this process.
Timing historyInProcess(const std::string& db, const std::string& udid, int runs);
/// Median over `runs` of the whole `ctl ARGS... --db DB` process (stdout to a file: its size).
/// CPU is the child's user+system time.
Timing ctlProcess(const std::string& ctl, const std::vector<std::string>& args,
                  const std::string& db, int runs);

}  // namespace ibackupmon::bench

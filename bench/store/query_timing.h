#pragma once
/// Times what an admin runs on the finished database: `ibackupmonctl status --json` and
/// `ibackupmonctl history UDID --json`, in-process (store + render) and as whole processes.

#include <string>
#include <vector>

namespace ibackupmon::bench {

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

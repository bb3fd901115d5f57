// SPDX-License-Identifier: Apache-2.0
#include "query_timing.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

#include "report/status_json.h"
#include "store/sqlite_store.h"
#include "support/child_process.h"
#include "year_fill.h"

namespace ibackupmon::bench {

double cpuNowMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

namespace {

using Steady = std::chrono::steady_clock;

// One measured run returns {wall, cpu, bytes}; the result holds the medians.
Timing median(int runs, const std::function<Timing()>& once) {
  std::vector<double> wall, cpu;
  Timing last;
  for (int r = 0; r < runs; ++r) {
    last = once();
    wall.push_back(last.wallMs);
    cpu.push_back(last.cpuMs);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2], last.bytes};
}

template <class F>
Timing inProcess(const std::string& db, F&& query) {
  auto t0 = Steady::now();
  double c0 = cpuNowMs();
  auto store = Store::open(db, OpenMode::ReadOnly);
  check(bool(store), "open read-only");
  std::size_t bytes = query(**store);
  return {msSince(t0), cpuNowMs() - c0, bytes};
}

}  // namespace

Timing statusInProcess(const std::string& db, int runs) {
  return median(runs, [&] {
    return inProcess(db, [](Store& store) {
      auto fleet = store.loadStatus();
      check(bool(fleet), "loadStatus");
      return dumpJson(statusesToJson(*fleet)).size();
    });
  });
}

Timing historyInProcess(const std::string& db, const std::string& udid, int runs) {
  return median(runs, [&] {
    return inProcess(db, [&](Store& store) {
      auto t = store.timeline(udid);
      check(bool(t), "timeline");
      return t->backups.size() + t->conditions.size() + t->sessions.size() + t->observations.size();
    });
  });
}

Timing ctlProcess(const std::string& ctl, const std::vector<std::string>& args,
                  const std::string& db, int runs) {
  const std::string out = db + ".ctl-out";
  std::vector<std::string> argv{ctl};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--db", db});
  Timing t = median(runs, [&] {
    auto t0 = Steady::now();
    const auto r = testing::runProcess(argv, {.out = testing::Output::file(out),
                                              .err = testing::Output::inherit(),
                                              .timeout = std::nullopt});
    double wall = msSince(t0);
    // 0-3 are status's Nagios verdicts; anything else is a failure of the command.
    check(r.exitCode >= 0 && r.exitCode <= 3, "ibackupmonctl");
    return Timing{wall, r.cpuSeconds * 1e3, std::filesystem::file_size(out)};
  });
  std::filesystem::remove(out);
  return t;
}

}  // namespace ibackupmon::bench

// SPDX-License-Identifier: Apache-2.0
// Store benchmark: a simulated year of a fleet probed every 5 minutes, written through the real
// SqliteStore, then the figures an admin cares about: database size, the write cost of one
// probe, and the time of `ibackupmonctl status --json` and `history` on that database.
//
//   store_bench [--devices 1000] [--days 365] [--daemon-days 1] [--seed 1] [--db PATH] [--keep]
//               [--write-samples 300] [--ctl PATH] [--measure-only]
//
// --measure-only skips the fill and measures a database filled before (with the same --db,
// --devices, --days and --seed): e.g. a year filled on tmpfs, then copied to a disk.
//
// What is written and what is computed (docs/performance.md, Store):
// - Days 1..N-daemon_days: every probe that changes something the store keeps (an observation,
//   backup event, condition interval or attach session) goes through recordCycle; probes that
//   change nothing are skipped, since they only overwrite the device's heartbeat columns and
//   its status row in place. synchronous=OFF, to finish in minutes; the rows are the same.
// - The last daemon_days: every probe exactly as the monitor writes it (recordSnapshot,
//   recordConditions, saveStatus), which shows what the skipped heartbeats do to the size.
// - Write cost per probe: a sample on the year-old database with the production setting
//   (synchronous=FULL) through the monitor's path; the yearly cost is that times the probes.
// - Retention and forget_after run daily with the defaults (400 d, 90 d).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "query_timing.h"
#include "store/sqlite_store.h"
#include "year_fill.h"

using namespace ibackupmon;
using namespace ibackupmon::bench;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kReportEvery = 30;  // days between progress lines

struct Options {
  int devices = 1000;
  int days = 365;
  int daemonDays = 1;
  unsigned seed = 1;
  std::string db;
  bool keep = false;
  bool measureOnly = false;  ///< the database is already filled (--db): only measure
  int writeSamples = 300;
  std::string ctl;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--keep" || a == "--measure-only") {
      (a == "--keep" ? o.keep : o.measureOnly) = true;
      continue;
    }
    if (a == "--devices") o.devices = std::atoi(v);
    if (a == "--days") o.days = std::atoi(v);
    if (a == "--daemon-days") o.daemonDays = std::atoi(v);
    if (a == "--seed") o.seed = static_cast<unsigned>(std::atoi(v));
    if (a == "--db") o.db = v;
    if (a == "--write-samples") o.writeSamples = std::atoi(v);
    if (a == "--ctl") o.ctl = v;
    ++i;
  }
  o.daemonDays = std::clamp(o.daemonDays, 0, o.days);
  if (o.ctl.empty()) {  // the ibackupmonctl built next to this binary
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) o.ctl = (self.parent_path() / "ibackupmonctl").string();
  }
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Database file after a checkpoint (the WAL is truncated, so this is everything).
double checkpointedMB(SqliteStore& store, const std::string& path) {
  check(bool(store.database().exec("PRAGMA wal_checkpoint(TRUNCATE)")), "checkpoint");
  return static_cast<double>(std::filesystem::file_size(path)) / 1e6;
}

void printFill(const char* what, const FillStats& st) {
  std::printf(
      "%s: %lld probes, %lld written (%.1f%%), %lld attach/detach, %lld rows pruned, %lld "
      "forgotten; CPU %.1f s (%.1f us per written probe), wall %.1f s\n",
      what, st.probes, st.written, 100.0 * st.written / std::max(1LL, st.probes), st.attachEvents,
      st.pruned, st.forgotten, st.cpuMs / 1e3, 1e3 * st.cpuMs / std::max(1LL, st.written),
      st.wallMs / 1e3);
}

// The monitor's write path for `n` probes at time t: every 10th changes a banded value (an
// observation row), the rest only update the heartbeat and the status row. Returns CPU ms/probe.
double measureWrites(SqliteStore& store, FleetModel& fleet, std::int64_t t, int n,
                     const char* sync) {
  check(bool(store.database().exec(std::string("PRAGMA synchronous = ") + sync)), "pragma");
  std::vector<double> unchanged, changed;
  const double cpu0 = cpuNowMs();
  for (int k = 0; k < n; ++k) {
    const std::size_t i = static_cast<std::size_t>(k) % fleet.size();
    const std::int64_t now = t + k;
    auto snap = fleet.snapshot(i, now);
    const bool change = k % 10 == 0;
    if (change && snap.battery && snap.battery->level) {
      snap.battery->level = (*snap.battery->level + 50) % 100;
    }
    auto t0 = Steady::now();
    check(bool(store.recordSnapshot(snap)), "recordSnapshot");
    check(bool(store.recordConditions(snap.identity.udid, fleet.conditions(i, now), snap.takenAt)),
          "recordConditions");
    check(bool(store.saveStatus(fleet.status(i, now))), "saveStatus");
    (change ? changed : unchanged).push_back(msSince(t0));
  }
  const double cpuPerProbe = (cpuNowMs() - cpu0) / n;
  std::printf("write per probe, monitor path (3 transactions), synchronous=%s, %d probes:\n", sync,
              n);
  std::printf("  CPU %.3f ms mean; wall median %.3f ms unchanged, %.3f ms with an observation\n",
              cpuPerProbe, median(unchanged), median(changed));
  return cpuPerProbe;
}

// The monitor's tick (every probe interval): forget_after and a retention batch.
void measureHousekeeping(SqliteStore& store, std::int64_t t) {
  std::vector<double> wall;
  for (int r = 0; r < 9; ++r) {
    auto t0 = Steady::now();
    const TimePoint now = fromUnixSeconds(t + r);
    check(bool(store.forgetUnseenSince(now - std::chrono::hours(24 * 90))), "forget");
    check(bool(store.pruneBefore(now - std::chrono::hours(24 * 400), 500)), "prune");
    wall.push_back(msSince(t0));
  }
  std::printf("housekeeping tick (forgetUnseenSince + pruneBefore batch): median %.2f ms\n",
              median(wall));
}

void printRows(SqliteStore& store) {
  for (const char* table : {"devices", "observations", "backup_events", "condition_intervals",
                            "attach_sessions", "device_status"}) {
    auto n = store.database().queryInt(std::string("SELECT count(*) FROM ") + table);
    std::printf("  %-20s %10lld rows\n", table, static_cast<long long>(n.value_or(-1)));
  }
  auto freePages = store.database().queryInt("PRAGMA freelist_count");
  std::printf("  free pages %lld\n", static_cast<long long>(freePages.value_or(-1)));
}

// The device with the longest history: the worst case of `history UDID`.
std::string busiestDevice(SqliteStore& store, const FleetModel& fleet) {
  auto st = store.database().prepare(
      "SELECT d.udid FROM devices d JOIN observations o ON o.device_id = d.id "
      "GROUP BY d.id ORDER BY count(*) DESC LIMIT 1");
  check(bool(st), "busiest device");
  auto row = (*st)->step();
  return row && *row ? (*st)->text(0) : fleet.device(0).udid;
}

void printTiming(const char* what, const Timing& t, const char* unit) {
  std::printf("%-46s median wall %7.1f ms, CPU %6.1f ms (%zu %s)\n", what, t.wallMs, t.cpuMs,
              t.bytes, unit);
}

void measureQueries(const Options& o, const std::string& udid) {
  std::printf("queries on the finished database (history of %s):\n", udid.c_str());
  printTiming("  in-process: open + loadStatus + JSON", statusInProcess(o.db, 9), "bytes");
  printTiming("  in-process: open + timeline(udid)", historyInProcess(o.db, udid, 9), "rows");
  if (access(o.ctl.c_str(), X_OK) != 0) {
    std::printf("  (no ibackupmonctl at %s: process timings skipped)\n", o.ctl.c_str());
    return;
  }
  printTiming("  process: ibackupmonctl status --json",
              ctlProcess(o.ctl, {"status", "--json"}, o.db, 9), "bytes");
  printTiming("  process: ibackupmonctl history UDID --json",
              ctlProcess(o.ctl, {"history", udid, "--json"}, o.db, 9), "bytes");
}

// Writes the simulated period; returns its end (Unix seconds).
std::int64_t fillYear(SqliteStore& store, FleetModel& fleet, const Options& o, std::int64_t start) {
  YearFiller filler(store, fleet, start, FillOptions{});
  FillStats fill;
  for (int day = 0; day < o.days - o.daemonDays; day += kReportEvery) {
    const FillStats st = filler.changesOnly(std::min(kReportEvery, o.days - o.daemonDays - day));
    fill += st;
    std::printf("  day %3d: %6.1f MB, CPU %.1f s\n", day + st.days, checkpointedMB(store, o.db),
                fill.cpuMs / 1e3);
  }
  printFill("changes only", fill);
  // The daemon's own page cache from here on: the monitor-path day and every measurement.
  check(bool(store.database().exec("PRAGMA cache_size = -2000")), "pragma");
  const double before = checkpointedMB(store, o.db);
  std::printf("database after %d days: %.1f MB\n", o.days - o.daemonDays, before);
  if (o.daemonDays > 0) {
    FillStats st = filler.daemonPath(o.daemonDays);
    printFill("every probe, monitor path", st);
    std::printf("  CPU per probe %.1f us; database %.1f MB -> %.1f MB\n",
                1e3 * st.cpuMs / std::max(1LL, st.probes), before, checkpointedMB(store, o.db));
  }
  return filler.now();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress of a long run shows in a log file
  Options o = parse(argc, argv);
  std::string dir;
  if (o.db.empty()) {
    dir = (std::filesystem::temp_directory_path() / ("store-bench-" + std::to_string(getpid())))
              .string();
    std::filesystem::create_directories(dir);
    o.db = dir + "/bench.db";
  }
  std::printf("store_bench: %d devices, %d days (last %d as the daemon writes), seed %u, db %s\n",
              o.devices, o.days, o.daemonDays, o.seed, o.db.c_str());
  const std::int64_t start = 1'704'067'200;  // 2024-01-01
  auto opened = Store::open(o.db, OpenMode::ReadWrite);
  check(bool(opened), "open");
  auto* store = static_cast<SqliteStore*>(opened->get());
  // Fill settings (the rows and pages written do not depend on them): no fsync, and a page
  // cache that holds the year, since a year of 1000 devices outgrows SQLite's default 2 MB
  // cache and every insert then re-reads its leaf pages from the OS.
  check(bool(store->database().exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144")),
        "pragma");
  FleetModel fleet(o.devices, start, o.seed);
  const std::int64_t end =
      o.measureOnly ? start + o.days * 86400LL : fillYear(*store, fleet, o, start);
  check(bool(store->database().exec("PRAGMA cache_size = -2000")), "pragma");  // the daemon's
  std::printf("after %d days:\n", o.days);
  printRows(*store);
  const std::string udid = busiestDevice(*store, fleet);
  std::printf("database size: %.1f MB\n", checkpointedMB(*store, o.db));
  measureWrites(*store, fleet, end, o.writeSamples * 5, "NORMAL");
  const double full = measureWrites(*store, fleet, end + 100000, o.writeSamples, "FULL");
  const double probesPerYear = 365.0 * 288 * o.devices;
  std::printf(
      "  => a year of %d devices every 5 min: %.0f probes, %.0f s of CPU (%.3f%% of a core)\n",
      o.devices, probesPerYear, probesPerYear * full / 1e3,
      100.0 * full * 288 * o.devices / 86400 / 1e3);
  measureHousekeeping(*store, end + 200000);
  opened->reset();
  measureQueries(o, udid);
  if (!dir.empty() && !o.keep) std::filesystem::remove_all(dir);
  return 0;
}

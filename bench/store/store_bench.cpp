// Store benchmark: a simulated period (default a year) of a fleet probed every 5 minutes,
// written through the real Store, then the figures an admin cares about: database size, the
// write cost of one probe, and the time of `status --json` and `history` queries.
//
//   store_bench [--devices 1000] [--days 365] [--seed 1] [--db PATH]
//
// The fill writes every probe that changes something (values, backups, conditions, attach
// state) with synchronous=OFF to finish in minutes; probes that change nothing write no rows,
// only the heartbeat, whose cost is measured afterwards with production settings
// (synchronous=FULL), together with changed probes.
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "fleet_model.h"
#include "report/status_json.h"
#include "store/sqlite_store.h"

using namespace ibackupmon;
using Steady = std::chrono::steady_clock;

namespace {

struct Options {
  int devices = 1000;
  int days = 365;
  unsigned seed = 1;
  std::string db;
  int writeSamples = 1000;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--devices") o.devices = std::atoi(argv[i + 1]);
    if (a == "--days") o.days = std::atoi(argv[i + 1]);
    if (a == "--seed") o.seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    if (a == "--db") o.db = argv[i + 1];
    if (a == "--write-samples") o.writeSamples = std::atoi(argv[i + 1]);
  }
  return o;
}

double msSince(Steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
}

// The machine is shared: CPU time of this process is the figure that does not depend on load.
double cpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "store_bench: %s failed\n", what);
    std::exit(1);
  }
}

std::uint64_t dbBytes(const std::string& path) {
  std::uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

// Only the things that show in the store change rows; a probe with none of them is a heartbeat.
struct FillStats {
  long long probes = 0, written = 0;
};

FillStats fill(SqliteStore& store, bench::FleetModel& fleet, std::int64_t start, int days) {
  FillStats st;
  const std::int64_t end = start + static_cast<std::int64_t>(days) * 86400;
  std::vector<std::string> lastKey(fleet.size());
  for (std::int64_t t = start; t < end; t += 300) {
    for (std::size_t i = 0; i < fleet.size(); ++i) {
      auto tick = fleet.advance(i, t);
      if (tick.attachChanged) {
        const auto& d = fleet.device(i);
        check(d.attached ? bool(store.deviceAttached(d.udid, fromUnixSeconds(t)))
                         : bool(store.deviceDetached(d.udid, fromUnixSeconds(t))),
              "attach/detach");
      }
      if (!tick.probed) continue;
      ++st.probes;
      const auto& d = fleet.device(i);
      std::string key = std::to_string(d.battery / 10) + (d.onPower ? "p" : "b") +
                        (d.probeFails ? "f" : "") + std::to_string(d.lastCloud) + "/" +
                        std::to_string(d.lastComputer) + "/" + std::to_string(d.storageFree >> 30) +
                        std::to_string(fleet.conditions(i, t).size());
      if (key == lastKey[i] && !tick.attachChanged) continue;
      lastKey[i] = key;
      ++st.written;
      check(
          bool(store.recordCycle(fleet.snapshot(i, t), fleet.conditions(i, t), fleet.status(i, t))),
          "recordCycle");
    }
  }
  return st;
}

// Per-probe cost with production settings over `n` probes of the simulated mix.
void measureWrites(SqliteStore& store, bench::FleetModel& fleet, std::int64_t t, int n,
                   const char* sync) {
  check(bool(store.database().exec(std::string("PRAGMA synchronous = ") + sync)), "pragma");
  std::vector<double> unchanged, changed;
  double cpu0 = cpuMs();
  for (int k = 0; k < n; ++k) {
    std::size_t i = static_cast<std::size_t>(k) % fleet.size();
    std::int64_t now = t + k;
    auto snap = fleet.snapshot(i, now);
    const bool change = k % 10 == 0;  // the fill shows ~1 probe in 30 changes; measure both
    if (change && snap.battery) snap.battery->level = (*snap.battery->level + 50) % 100;
    auto t0 = Steady::now();
    check(bool(store.recordCycle(snap, fleet.conditions(i, now), fleet.status(i, now))), "probe");
    (change ? changed : unchanged).push_back(msSince(t0));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  std::printf(
      "write per probe (synchronous=%s, one transaction per probe, %d probes): CPU %.3f ms "
      "mean\n",
      sync, n, (cpuMs() - cpu0) / n);
  std::printf("  wall, unchanged (heartbeat + status row): median %.3f ms\n", median(unchanged));
  std::printf("  wall, changed (observation row too):      median %.3f ms\n", median(changed));
}

struct Timing {
  double wall = 0, cpu = 0;  ///< medians, ms
};

template <class F>
Timing medianMs(int runs, F&& f) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Steady::now();
    double c0 = cpuMs();
    f();
    wall.push_back(msSince(t0));
    cpu.push_back(cpuMs() - c0);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

void measureQueries(const std::string& path, const bench::FleetModel& fleet) {
  auto t0 = Steady::now();
  auto opened = Store::open(path, OpenMode::ReadWrite);
  check(bool(opened), "open");
  std::printf("open read-write (quick_check + migrate check): %.1f ms\n", msSince(t0));
  opened->reset();
  auto ro = Store::open(path, OpenMode::ReadOnly);
  check(bool(ro), "open read-only");
  auto& store = **ro;
  std::size_t bytes = 0;
  Timing status = medianMs(9, [&] {
    auto fleetStatus = store.loadStatus();
    check(bool(fleetStatus), "loadStatus");
    bytes = dumpJson(statusesToJson(*fleetStatus)).size();
  });
  std::printf(
      "status --json (loadStatus + render, %zu devices, %zu bytes): median %.1f ms "
      "(CPU %.1f ms)\n",
      fleet.size(), bytes, status.wall, status.cpu);
  std::size_t events = 0;
  Timing history = medianMs(9, [&] {
    auto t = store.timeline(fleet.device(0).udid);
    check(bool(t), "timeline");
    events = t->backups.size() + t->conditions.size() + t->sessions.size() + t->observations.size();
  });
  std::printf("history of one device (%zu rows): median %.1f ms (CPU %.1f ms)\n", events,
              history.wall, history.cpu);
  Timing histories = medianMs(3, [&] { check(bool(store.loadAllHistories()), "histories"); });
  std::printf("loadAllHistories (monitor start-up): median %.1f ms (CPU %.1f ms)\n", histories.wall,
              histories.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::string dir;
  if (o.db.empty()) {
    dir = (std::filesystem::temp_directory_path() / ("store-bench-" + std::to_string(getpid())))
              .string();
    std::filesystem::create_directories(dir);
    o.db = dir + "/bench.db";
  }
  std::printf("store_bench: %d devices, %d days, seed %u, db %s\n", o.devices, o.days, o.seed,
              o.db.c_str());
  const std::int64_t start = 1'704'067'200;  // 2024-01-01
  {
    auto db = Database::open(o.db, DbAccess::ReadWrite);
    check(bool(db), "create");
  }
  auto opened = Store::open(o.db, OpenMode::ReadWrite);
  check(bool(opened), "open");
  auto* store = static_cast<SqliteStore*>(opened->get());
  check(bool(store->database().exec("PRAGMA synchronous = OFF")), "pragma");
  bench::FleetModel fleet(o.devices, start, o.seed);
  auto t0 = Steady::now();
  FillStats st = fill(*store, fleet, start, o.days);
  double fillMs = msSince(t0);
  std::printf("fill: %lld probes simulated, %lld written (%.1f%%), %.1f s\n", st.probes, st.written,
              100.0 * st.written / std::max(1LL, st.probes), fillMs / 1000);
  measureWrites(*store, fleet, start + o.days * 86400LL, o.writeSamples, "NORMAL");
  measureWrites(*store, fleet, start + o.days * 86400LL + 100000, o.writeSamples, "FULL");
  check(bool(store->database().exec("PRAGMA wal_checkpoint(TRUNCATE)")), "checkpoint");
  for (const char* table :
       {"observations", "backup_events", "condition_intervals", "attach_sessions"}) {
    auto n = store->database().queryInt(std::string("SELECT count(*) FROM ") + table);
    std::printf("  %-20s %lld rows\n", table, static_cast<long long>(n.value_or(-1)));
  }
  opened->reset();
  std::printf("database size: %.1f MB\n", dbBytes(o.db) / 1e6);
  measureQueries(o.db, fleet);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

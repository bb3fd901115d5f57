// SPDX-License-Identifier: Apache-2.0
// bench_probe_cycle [--quick] [--devices 10,100,500,1000] [--seed S] [--concurrency 1,8,16,32]
//                   [--tool-sample N] [--store sqlite|null] [--readable-only]
//                   [--cart N] [--cart-known 500] [--cart-interval S] [--cart-only]
//                   [--only cycle|floor] [--commit-delay-ms N] [--verbose]
// For each fleet size and each concurrency: one full probe cycle of ibackupmon's own code path
// and the floor (a minimal raw libimobiledevice loop doing the same reads on as many threads),
// then an ideviceinfo shell-style loop, each against a fresh ibackupmon-sim --generate N --seed S.
// Each cycle is divided by the floor at its own concurrency; the last rows compare the best of
// each. Prints a Markdown table; exits 1 when the methods disagree on how many devices could be
// read. Then a cart of N devices (default 30) plugged in at once while the known fleet is being
// re-probed: how long until each cart device's fresh values are recorded.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "device/lockdown_connector.h"
#include "monitor_cycle.h"
#include "raw_loop.h"
#include "tool_loop.h"

namespace {

using ibackupmon::bench::LoopResult;
using ibackupmon::bench::SimProcess;

struct Options {
  std::vector<int> devices{10, 100, 500, 1000};
  std::vector<int> concurrency{1, 8, 16, 32};
  int seed = 1;
  int toolSample = 50;
  bool nullStore = false;
  bool readableOnly = false;  ///< unplug the devices with faults before measuring
  bool verbose = false;       ///< the daemon's info lines on stderr
  int cart = 30;              ///< 0: no cart run
  std::vector<int> cartKnown{500};
  int cartInterval = 10;  ///< probe.interval of the cart run: re-probes always due
  bool cartOnly = false;
  int commitDelayMs = 0;  ///< added to every store write of the daemon's path, as a slow disk
  std::string only;       ///< "cycle" or "floor": run that method alone (to profile it), no ratios
};

std::vector<int> intList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const int v = std::atoi(item.c_str());
    if (v <= 0) throw std::invalid_argument("expected positive integers, got \"" + text + "\"");
    out.push_back(v);
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool hasValue = i + 1 < argc;
    if (a == "--quick") {
      o.devices = {10};
      o.concurrency = {1, 8};
      o.toolSample = 3;
      o.cart = 5;
      o.cartKnown = {10};
      o.cartInterval = 2;
    } else if (a == "--devices" && hasValue) {
      o.devices = intList(argv[++i]);
    } else if (a == "--concurrency" && hasValue) {
      o.concurrency = intList(argv[++i]);
    } else if (a == "--seed" && hasValue) {
      o.seed = std::atoi(argv[++i]);
    } else if (a == "--tool-sample" && hasValue) {
      o.toolSample = std::atoi(argv[++i]);
    } else if (a == "--cart" && hasValue) {
      o.cart = std::atoi(argv[++i]);
    } else if (a == "--cart-known" && hasValue) {
      o.cartKnown = intList(argv[++i]);
    } else if (a == "--cart-interval" && hasValue) {
      o.cartInterval = std::atoi(argv[++i]);
    } else if (a == "--cart-only") {
      o.cartOnly = true;
    } else if (a == "--commit-delay-ms" && hasValue) {
      o.commitDelayMs = std::atoi(argv[++i]);
    } else if (a == "--only" && hasValue) {
      o.only = argv[++i];
      if (o.only != "cycle" && o.only != "floor") throw std::invalid_argument("--only cycle|floor");
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--readable-only") {
      o.readableOnly = true;
    } else if (a == "--store" && hasValue) {
      const std::string kind = argv[++i];
      if (kind != "sqlite" && kind != "null") throw std::invalid_argument("--store sqlite|null");
      o.nullStore = kind == "null";
    } else {
      throw std::invalid_argument("unknown or incomplete option \"" + a + "\"");
    }
  }
  return o;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

void printRow(int fleet, const std::string& method, const LoopResult& r, const LoopResult& floor,
              const LoopResult& tool) {
  const std::string sampled =
      r.measured < r.devices ? " (" + std::to_string(r.measured) + " sampled, extrapolated)" : "";
  std::printf("| %d | %s%s | %d/%d | %.2f | %.2f | %.2f | %.2f | %.2f× | %.3f× |\n", fleet,
              method.c_str(), sampled.c_str(), r.sessionsOk, r.measured, r.wallSeconds,
              r.cpuSeconds, r.simCpuSeconds, r.failedSeconds, r.wallSeconds / floor.wallSeconds,
              r.wallSeconds / tool.wallSeconds);
  std::fflush(stdout);
}

std::unique_ptr<SimProcess> startSim(const Options& o, int fleet) {
  auto sim = std::make_unique<SimProcess>(IBACKUPMON_BIN_DIR, fleet, o.seed);
  if (o.readableOnly) sim->detachFaulty();
  return sim;
}

// One fleet size: every method on its own fresh simulator; the daemon and the floor alternate, one
// concurrency after the other, so a drift of the machine touches both alike. Returns false on
// disagreement.
bool measureFleet(const Options& o, int fleet, const std::string& workDir) {
  struct Pair {
    int concurrency;
    LoopResult ours, floor;
  };
  std::vector<Pair> runs;
  for (int c : o.concurrency) {
    Pair p{c, {}, {}};
    if (o.only != "floor") {
      auto sim = startSim(o, fleet);
      const std::string db = workDir + "/cycle-" + std::to_string(fleet) + "-" + std::to_string(c);
      ibackupmon::bench::MonitorCycleOptions mo;
      mo.concurrency = c;
      mo.storePath = o.nullStore ? "" : db + ".db";
      mo.commitDelay = std::chrono::milliseconds(o.commitDelayMs);
      p.ours = runMonitorCycle(mo, *sim);
    }
    if (o.only != "cycle") {
      auto sim = startSim(o, fleet);
      p.floor = ibackupmon::bench::runRawLoop(*sim, c);
    }
    if (o.only == "cycle") p.floor = p.ours;
    if (o.only == "floor") p.ours = p.floor;
    runs.push_back(p);
  }
  if (!o.only.empty()) {
    // One method alone, for a profiler: its rows, each divided by itself.
    for (const auto& p : runs) {
      printRow(fleet, o.only + ", concurrency " + std::to_string(p.concurrency), p.ours, p.ours,
               p.ours);
    }
    return true;
  }
  LoopResult tool;
  {
    auto sim = startSim(o, fleet);
    tool = ibackupmon::bench::runToolLoop(*sim, o.toolSample);
  }
  const std::string store = o.nullStore ? "null store" : "SQLite store";
  const Pair* bestOurs = &runs.front();
  const Pair* bestFloor = &runs.front();
  for (const auto& p : runs) {
    const std::string c = std::to_string(p.concurrency);
    printRow(fleet, "ibackupmon cycle, concurrency " + c + ", " + store, p.ours, p.floor, tool);
    printRow(fleet, "floor: raw libimobiledevice loop, concurrency " + c, p.floor, p.floor, tool);
    if (p.ours.wallSeconds < bestOurs->ours.wallSeconds) bestOurs = &p;
    if (p.floor.wallSeconds < bestFloor->floor.wallSeconds) bestFloor = &p;
  }
  printRow(fleet,
           "best ibackupmon cycle (concurrency " + std::to_string(bestOurs->concurrency) +
               ") ÷ best floor (concurrency " + std::to_string(bestFloor->concurrency) + ")",
           bestOurs->ours, bestFloor->floor, tool);
  printRow(fleet, "ideviceinfo loop (sequential)", tool, bestFloor->floor, tool);
  bool agree = true;
  for (const auto& p : runs) {
    agree = agree && p.ours.sessionsOk == p.floor.sessionsOk &&
            p.floor.sessionsOk == runs.front().floor.sessionsOk;
  }
  if (tool.measured == tool.devices) {
    agree = agree && tool.sessionsOk == runs.front().floor.sessionsOk;
  }
  if (!agree) std::fprintf(stderr, "fleet %d: methods disagree on readable devices\n", fleet);
  return agree;
}

// A cart plugged in at once, at the daemon's default concurrency (the first of --concurrency
// that is 8, else the first).
void measureCart(const Options& o, int known, const std::string& workDir) {
  int c = o.concurrency.front();
  for (int x : o.concurrency) c = x == 8 ? 8 : c;
  // The cart's devices are part of the generated fleet, unplugged before the daemon starts.
  auto sim = startSim(o, known + o.cart + o.cart / 4);
  ibackupmon::bench::MonitorCycleOptions mo;
  mo.concurrency = c;
  mo.storePath = o.nullStore ? "" : workDir + "/cart-" + std::to_string(known) + ".db";
  mo.commitDelay = std::chrono::milliseconds(o.commitDelayMs);
  const auto r = ibackupmon::bench::runCartAttach(mo, *sim, o.cart, o.cartInterval);
  std::printf("| %d | %d | %d | %d s | %.2f | %.2f | %.2f | %.2f |\n", r.known, r.cart, c,
              o.cartInterval, r.attachSpreadSeconds, r.p50Seconds, r.maxSeconds,
              r.allRecordedSeconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    // Workers may still be pairing (OpenSSL key generation) when main returns, as in the daemon.
    ibackupmon::keepTlsStateUntilExit();
    // One info line per attach would drown the table; --verbose shows them, with the time.
    spdlog::set_level(o.verbose ? spdlog::level::info : spdlog::level::warn);
    const std::string workDir = "/tmp/bench-probe-cycle-" + std::to_string(getpid());
    std::filesystem::create_directories(workDir);
    std::printf("probe cycle: generated fleets%s, seed %d, %ld CPUs, load average %s at start\n\n",
                o.readableOnly ? " without the devices that have faults" : "", o.seed,
                sysconf(_SC_NPROCESSORS_ONLN), loadAverage().c_str());
    bool agree = true;
    if (!o.cartOnly) {
      std::printf(
          "| devices | method | sessions opened | wall s | client CPU s | sim CPU s | "
          "failing devices s (sum) | ÷ floor | ÷ ideviceinfo |\n"
          "|---|---|---|---|---|---|---|---|---|\n");
      for (int fleet : o.devices) agree = measureFleet(o, fleet, workDir) && agree;
    }
    if (o.cart > 0) {
      std::printf(
          "\n| known USB devices | cart | concurrency | probe interval | attach commands s | "
          "cart device p50 s | cart device max s | whole cart recorded s |\n"
          "|---|---|---|---|---|---|---|---|\n");
      for (int known : o.cartKnown) measureCart(o, known, workDir);
    }
    std::filesystem::remove_all(workDir);
    std::printf("\nload average %s at end\n", loadAverage().c_str());
    return agree ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_probe_cycle: %s\n", e.what());
    return 1;
  }
}

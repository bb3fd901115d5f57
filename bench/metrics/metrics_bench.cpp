// SPDX-License-Identifier: Apache-2.0
// Cost of the metrics path for large fleets: a fleet update on the app strand, rendering the text
// exposition, and a whole /metrics scrape over HTTP from the real MetricsServer (target: < 50 ms
// for 1000 devices). Counters report the body size and the number of series.
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>

#include "app/metrics_server.h"
#include "http_get.h"
#include "synthetic_fleet.h"

namespace {

using namespace ibackupmon;

MetricsExporterOptions options() {
  MetricsExporterOptions o;
  o.conditionIds = testing::syntheticConditionIds();
  return o;
}

const TimePoint kNow = fromUnixSeconds(1'750'000'000);

void BM_FleetUpdate(benchmark::State& state) {
  MetricsExporter exporter(options());
  const FleetView view = testing::makeSyntheticFleet(state.range(0), kNow);
  exporter.onFleetStatus(view);
  for (auto _ : state) exporter.onFleetStatus(view);
  state.counters["devices"] = static_cast<double>(state.range(0));
}

void BM_Render(benchmark::State& state) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(testing::makeSyntheticFleet(state.range(0), kNow));
  std::size_t bytes = 0;
  for (auto _ : state) bytes = exporter.render().size();
  const std::string text = exporter.render();
  state.counters["bytes"] = static_cast<double>(bytes);
  std::size_t series = 0;
  for (std::size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
    if (text[at] != '#') ++series;
    if (text.find('\n', at) == std::string::npos) break;
  }
  state.counters["series"] = static_cast<double>(series);
}

double processCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// A whole scrape as Prometheus does it (range 1 = with Accept-Encoding: gzip). cpu_ms is the
// process CPU time per scrape, server threads included: on a shared machine wall time also
// counts waiting for a core.
void BM_HttpScrape(benchmark::State& state) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(testing::makeSyntheticFleet(state.range(0), kNow));
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  if (!server) {
    state.SkipWithError(server.error().message.c_str());
    return;
  }
  const std::string headers = state.range(1) ? "Accept-Encoding: gzip\r\n" : "";
  std::size_t bytes = 0;
  const double cpuStart = processCpuMs();
  for (auto _ : state) {
    const auto reply = testing::httpGet((*server)->port(), "/metrics", "", headers);
    if (reply.status != 200) {
      state.SkipWithError(reply.error.c_str());
      break;
    }
    bytes = reply.body.size();
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["cpu_ms"] =
      (processCpuMs() - cpuStart) /
      static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
}

BENCHMARK(BM_FleetUpdate)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Render)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HttpScrape)
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({1000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// SPDX-License-Identifier: Apache-2.0
// /metrics under hostile clients, against the real MetricsServer on 127.0.0.1:0:
//  - latency of a gzip scrape (as Prometheus sends it) while N connections sit idle after
//    sending half a request header;
//  - how many wrong basic-auth passwords one address gets answered per second, serially and
//    over 8 parallel connections, and how long the right password then takes.
//
//   bench_metrics_flood [--devices 500] [--idle 0,2,10,300] [--guess-seconds 5]
//
// Prints one line per figure; docs/performance.md records them.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "app/metrics_server.h"
#include "http_get.h"
#include "synthetic_fleet.h"

namespace {

using namespace ibackupmon;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Connects and sends the start of a request header, never the blank line that ends it.
int openIdle(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  const char partial[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  send(fd, partial, sizeof partial - 1, MSG_NOSIGNAL);
  return fd;
}

void scrapeWithIdle(std::size_t devices, int idle) {
  MetricsExporter exporter(
      MetricsExporterOptions{.conditionIds = testing::syntheticConditionIds()});
  exporter.onFleetStatus(testing::makeSyntheticFleet(devices, fromUnixSeconds(1'750'000'000)));
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  if (!server) {
    std::printf("server: %s\n", server.error().message.c_str());
    return;
  }
  std::vector<double> times;
  for (int round = 0; round < 3; ++round) {
    std::vector<int> fds;
    for (int i = 0; i < idle; ++i) fds.push_back(openIdle((*server)->port()));
    const int opened =
        static_cast<int>(std::count_if(fds.begin(), fds.end(), [](int fd) { return fd >= 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server accept them
    const auto start = Clock::now();
    const auto reply =
        testing::httpGet((*server)->port(), "/metrics", "", "Accept-Encoding: gzip\r\n");
    const double ms = msSince(start);
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
    if (reply.status != 200) {
      std::printf("idle=%d (opened %d) round %d: no answer after %.0f ms (%s)\n", idle, opened,
                  round, ms, reply.error.c_str());
      continue;
    }
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  if (times.empty()) {
    std::printf("idle=%-4d scrape: no answer\n", idle);
  } else {
    std::printf("idle=%-4d scrape ms: min %.1f median %.1f max %.1f (%zu answered of 3)\n", idle,
                times.front(), times[times.size() / 2], times.back(), times.size());
  }
  std::fflush(stdout);
}

void guesses(double seconds, int parallel) {
  MetricsExporter exporter(
      MetricsExporterOptions{.conditionIds = testing::syntheticConditionIds()});
  const std::string file = "/tmp/ibackupmon-flood-bench.pass";
  std::ofstream(file) << "right\n";
  auto server = MetricsServer::start(
      {.listen = "127.0.0.1:0", .basicAuthUser = "prom", .basicAuthPasswordFile = file}, exporter);
  std::remove(file.c_str());
  if (!server) {
    std::printf("server: %s\n", server.error().message.c_str());
    return;
  }
  const auto port = (*server)->port();
  std::atomic<long> answered{0};
  std::atomic<long> refused{0};  // 429: the client's queue of checks was full
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const auto reply = testing::httpGet(
            port, "/metrics",
            testing::basicAuth("prom", "guess-" + std::to_string(t) + "-" + std::to_string(i)));
        if (reply.status == 401) ++answered;
        if (reply.status == 429) ++refused;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = msSince(start) / 1000;
  const auto rightStart = Clock::now();
  const auto right = testing::httpGet(port, "/metrics", testing::basicAuth("prom", "right"));
  std::printf(
      "wrong passwords, %d connection(s) in parallel: %ld checked in %.1f s = %.1f/s "
      "(%ld refused unchecked); then the right one: HTTP %d after %.0f ms\n",
      parallel, answered.load(), elapsed, static_cast<double>(answered) / elapsed, refused.load(),
      right.status, msSince(rightStart));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t devices = 500;
  std::string idle = "0,2,10,300";
  double guessSeconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--devices") devices = std::strtoul(argv[i + 1], nullptr, 10);
    if (k == "--idle") idle = argv[i + 1];
    if (k == "--guess-seconds") guessSeconds = std::atof(argv[i + 1]);
  }
  for (std::size_t at = 0; at < idle.size();) {
    const auto comma = idle.find(',', at);
    scrapeWithIdle(devices, std::atoi(idle.substr(at, comma - at).c_str()));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  if (guessSeconds > 0) {
    guesses(guessSeconds, 1);
    guesses(guessSeconds, 8);
  }
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// /metrics under hostile clients, against the real MetricsServer on 127.0.0.1:0:
//  - latency of a gzip scrape (as Prometheus sends it) while N connections sit idle after
//    sending half a request header;
//  - how many wrong basic-auth passwords one address gets answered per second, serially and
//    over 8 parallel connections, and how long the right password then takes;
//  - with --scrapers N: N gzip scrapers back to back for --seconds each phase, once with no
//    other client and once with each count of --slow connections held open (idle, half a header,
//    or slowloris: a header byte every 2 s), alternating over --rounds; p50/p99 latency,
//    scrapes per second and CPU per scrape, and the ratio of each to the run without slow
//    connections. A lone scrape is checked (HTTP 200, gzip, every device in it) before and after
//    the scrapers of each phase; the exit status is 1 when any scrape failed.
//
//   bench_metrics_flood [--devices 500] [--idle 0,2,10,300|none] [--guess-seconds 5]
//                       [--scrapers 0] [--slow 200] [--seconds 10] [--rounds 2]
//
// Prints one line per figure; docs/performance.md records them.
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
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

// A TCP connection to 127.0.0.1:port, or -1.
int connectLoopback(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

const char kHalfHeader[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";

// Connects and sends the start of a request header, never the blank line that ends it.
int openIdle(std::uint16_t port) {
  const int fd = connectLoopback(port);
  if (fd >= 0) send(fd, kHalfHeader, sizeof kHalfHeader - 1, MSG_NOSIGNAL);
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

// ---- N gzip scrapers while slow connections are held open ----

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// Nearest rank: the smallest value with at least p of the values at or below it.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

std::optional<std::string> gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

bool gzipped(const testing::HttpReply& reply) {
  std::string head = reply.headers;
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head.find("\r\ncontent-encoding: gzip") != std::string::npos;
}

// Holds `count` connections open against the server that never end their request header: a
// quarter send nothing, a quarter half a header at once, half are slowloris (a header byte every
// 2 s, the header never ending). When the server closes one (its header deadline), it is opened
// again at once, as an attacker would, so `count` stay open.
class SlowClients {
 public:
  SlowClients(std::uint16_t port, int count) : port_(port) {
    for (int i = 0; i < count; ++i) {
      Conn c{.kind = i % 4 == 0 ? Kind::Silent : i % 4 == 1 ? Kind::HalfHeader : Kind::Slowloris};
      connect(c, Clock::now());
      conns_.push_back(c);
    }
    countOpen();
    thread_ = std::thread([this] { run(); });
  }
  ~SlowClients() {
    stop_ = true;
    thread_.join();
    for (const auto& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
  }
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  int open() const { return open_; }
  long closedByServer() const { return closedByServer_; }
  /// How long the connections the server closed had been open (read after the scrapers stop).
  double medianLifetimeMs() const {
    std::lock_guard lock(mutex_);
    return percentile(lifetimesMs_, 0.5);
  }

 private:
  enum class Kind { Silent, HalfHeader, Slowloris };
  struct Conn {
    Kind kind;
    int fd = -1;
    Clock::time_point opened;
    Clock::time_point nextByte;
    std::size_t sent = 0;
  };

  void connect(Conn& c, Clock::time_point now) {
    c.fd = connectLoopback(port_);
    c.opened = now;
    c.nextByte = now;
    c.sent = 0;
    if (c.fd >= 0 && c.kind == Kind::HalfHeader) {
      send(c.fd, kHalfHeader, sizeof kHalfHeader - 1, MSG_NOSIGNAL);
    }
    if (c.kind == Kind::Slowloris) dripByte(c, now);
  }

  // The next byte of "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaa...".
  void dripByte(Conn& c, Clock::time_point now) {
    if (c.fd < 0 || now < c.nextByte) return;
    static const std::string start = std::string(kHalfHeader) + "X-Slow: ";
    const char byte = c.sent < start.size() ? start[c.sent] : 'a';
    if (send(c.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++c.sent;
    c.nextByte = now + std::chrono::seconds(2);
  }

  void countOpen() {
    open_ = static_cast<int>(
        std::count_if(conns_.begin(), conns_.end(), [](const Conn& c) { return c.fd >= 0; }));
  }

  void run() {
    std::vector<pollfd> fds(conns_.size());
    while (!stop_) {
      for (std::size_t i = 0; i < conns_.size(); ++i) {
        fds[i] = {conns_[i].fd, POLLIN | POLLRDHUP, 0};  // a negative fd is skipped by poll
      }
      poll(fds.data(), fds.size(), 50);
      const auto now = Clock::now();
      for (std::size_t i = 0; i < conns_.size(); ++i) {
        Conn& c = conns_[i];
        if (c.fd >= 0 && fds[i].revents != 0) {
          char buf[512];
          const auto got = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
          if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            {
              std::lock_guard lock(mutex_);
              lifetimesMs_.push_back(
                  std::chrono::duration<double, std::milli>(now - c.opened).count());
            }
            ++closedByServer_;
            close(c.fd);
            c.fd = -1;
          }
        }
        if (c.fd < 0) {
          connect(c, now);
        } else if (c.kind == Kind::Slowloris) {
          dripByte(c, now);
        }
      }
      countOpen();
    }
  }

  const std::uint16_t port_;
  std::vector<Conn> conns_;  // the keeper thread's once it runs
  std::atomic<int> open_{0};
  std::atomic<long> closedByServer_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<double> lifetimesMs_;
  std::thread thread_;
};

std::string udidFor(std::size_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00008101-%016zX", i);
  return buf;
}

// A lone gzip scrape, as Prometheus sends it, checked whole: HTTP 200, gzip, and the first and
// last device in the decompressed text. Empty when it is; otherwise what was wrong.
std::string checkLoneScrape(std::uint16_t port, std::size_t devices, double& ms) {
  const auto start = Clock::now();
  const auto reply = testing::httpGet(port, "/metrics", "", "Accept-Encoding: gzip\r\n");
  ms = msSince(start);
  if (reply.status != 200) {
    return "HTTP " + std::to_string(reply.status) + " " + reply.error;
  }
  if (!gzipped(reply)) return "reply not gzipped";
  const auto text = gunzip(reply.body);
  if (!text) return "body is not valid gzip (" + std::to_string(reply.body.size()) + " bytes)";
  if (text->find("ibackupmon_build_info") == std::string::npos) return "no ibackupmon_build_info";
  for (std::size_t i : {std::size_t{0}, devices - 1}) {
    if (devices > 0 && text->find("\"" + udidFor(i) + "\"") == std::string::npos) {
      return "device " + udidFor(i) + " missing";
    }
  }
  return "";
}

struct Phase {
  std::vector<double> ms;  // latencies of the scrapes answered 200 with a gzip body
  long failed = 0;
  double seconds = 0;
  double cpuSeconds = 0;
};

// One phase on a fresh server with the daemon's settings: `slow` slow connections opened, a lone
// scrape checked, `scrapers` threads scraping back to back for `seconds`, a lone scrape checked
// again. False when any scrape failed.
bool runPhase(const MetricsExporter& exporter, std::size_t devices, int scrapers, int slow,
              double seconds, Phase& out) {
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  if (!server) {
    std::printf("server: %s\n", server.error().message.c_str());
    return false;
  }
  const auto port = (*server)->port();
  bool ok = true;
  std::optional<SlowClients> clients;
  if (slow > 0) {
    clients.emplace(port, slow);
    if (clients->open() < slow) {
      std::printf("slow=%d: only %d slow connections could be opened\n", slow, clients->open());
      ok = false;
    }
  }
  // The listen queue is first in, first out and the server accepts one connection after the
  // other, so when the lone scrape (connected after them) is answered, the server has accepted
  // every slow connection opened before it.
  const auto lone = [&](const char* when) {
    double ms = 0;
    const int open = clients ? clients->open() : 0;
    const auto why = checkLoneScrape(port, devices, ms);
    std::printf("slow=%-4d lone scrape %s the scrapers, %d slow connections open: %s, %.1f ms\n",
                slow, when, open, why.empty() ? "HTTP 200, gzip, every device" : why.c_str(), ms);
    if (!why.empty()) ok = false;
  };
  lone("before");

  std::vector<std::vector<double>> times(static_cast<std::size_t>(scrapers));
  std::atomic<long> failed{0};
  std::mutex errorMutex;
  std::string firstError;
  std::vector<std::thread> threads;
  const double cpuStart = processCpuSeconds();
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int t = 0; t < scrapers; ++t) {
    threads.emplace_back([&, t] {
      while (Clock::now() < end) {
        const auto t0 = Clock::now();
        const auto reply = testing::httpGet(port, "/metrics", "", "Accept-Encoding: gzip\r\n");
        const double ms = msSince(t0);
        if (reply.status == 200 && gzipped(reply) && !reply.body.empty()) {
          times[static_cast<std::size_t>(t)].push_back(ms);
          continue;
        }
        ++failed;
        std::lock_guard lock(errorMutex);
        if (firstError.empty()) {
          firstError = "HTTP " + std::to_string(reply.status) + " " + reply.error;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  out.seconds = msSince(start) / 1000;
  out.cpuSeconds = processCpuSeconds() - cpuStart;
  for (const auto& v : times) out.ms.insert(out.ms.end(), v.begin(), v.end());
  out.failed = failed;
  const double throughput = static_cast<double>(out.ms.size()) / out.seconds;
  std::printf(
      "slow=%-4d %d scrapers, %.1f s: %zu answered, %ld failed%s%s; p50 %.1f ms p99 %.1f ms "
      "max %.1f ms; %.1f scrapes/s; %.1f ms CPU/scrape\n",
      slow, scrapers, out.seconds, out.ms.size(), out.failed,
      firstError.empty() ? "" : ", first: ", firstError.c_str(), percentile(out.ms, 0.5),
      percentile(out.ms, 0.99), percentile(out.ms, 1.0), throughput,
      out.ms.empty() ? 0.0 : out.cpuSeconds * 1000 / static_cast<double>(out.ms.size()));
  if (out.failed > 0 || out.ms.empty()) ok = false;
  lone("after");
  if (clients) {
    std::printf(
        "slow=%-4d the server closed %ld slow connections (median %.0f ms after "
        "connecting); each was opened again at once\n",
        slow, clients->closedByServer(), clients->medianLifetimeMs());
  }
  std::fflush(stdout);
  return ok;
}

// Runs the scrapers with no other client and with each count of slow connections, alternating
// the order each round (0, 200, 200, 0, ...), then prints the pooled figures and their ratio to
// the run without slow connections. False when any scrape failed.
bool scrapeUnderLoad(std::size_t devices, int scrapers, std::vector<int> slows, double seconds,
                     int rounds) {
  MetricsExporter exporter(
      MetricsExporterOptions{.conditionIds = testing::syntheticConditionIds()});
  exporter.onFleetStatus(testing::makeSyntheticFleet(devices, fromUnixSeconds(1'750'000'000)));
  slows.erase(std::remove(slows.begin(), slows.end(), 0), slows.end());
  slows.insert(slows.begin(), 0);
  std::map<int, Phase> pooled;
  bool ok = true;
  for (int round = 0; round < rounds; ++round) {
    std::vector<int> order = slows;
    if (round % 2 == 1) std::reverse(order.begin(), order.end());
    for (int slow : order) {
      Phase phase;
      ok = runPhase(exporter, devices, scrapers, slow, seconds, phase) && ok;
      auto& p = pooled[slow];
      p.ms.insert(p.ms.end(), phase.ms.begin(), phase.ms.end());
      p.failed += phase.failed;
      p.seconds += phase.seconds;
      p.cpuSeconds += phase.cpuSeconds;
    }
  }
  const auto& base = pooled[0];
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  const auto rate = [](const Phase& p) { return static_cast<double>(p.ms.size()) / p.seconds; };
  const auto cpu = [](const Phase& p) {
    return p.ms.empty() ? 0.0 : p.cpuSeconds * 1000 / static_cast<double>(p.ms.size());
  };
  std::printf("summary: %zu devices, %d gzip scrapers, %d round(s) of %.1f s each\n", devices,
              scrapers, rounds, seconds);
  for (const auto& [slow, p] : pooled) {
    std::printf(
        "summary slow=%-4d %zu answered, %ld failed: p50 %.1f ms (%.2fx) p99 %.1f ms (%.2fx); "
        "%.1f scrapes/s (%.2fx); %.1f ms CPU/scrape (%.2fx)\n",
        slow, p.ms.size(), p.failed, percentile(p.ms, 0.5),
        ratio(percentile(p.ms, 0.5), percentile(base.ms, 0.5)), percentile(p.ms, 0.99),
        ratio(percentile(p.ms, 0.99), percentile(base.ms, 0.99)), rate(p),
        ratio(rate(p), rate(base)), cpu(p), ratio(cpu(p), cpu(base)));
  }
  std::printf("%s\n", ok ? "every scrape answered HTTP 200 with gzip"
                         : "FAILED: a scrape was not answered (see above)");
  std::fflush(stdout);
  return ok;
}

std::vector<int> parseList(const std::string& list) {
  std::vector<int> out;
  if (list == "none") return out;
  for (std::size_t at = 0; at < list.size();) {
    const auto comma = list.find(',', at);
    out.push_back(std::atoi(list.substr(at, comma - at).c_str()));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t devices = 500;
  std::string idle = "0,2,10,300";
  double guessSeconds = 5;
  int scrapers = 0;
  std::string slow = "200";
  double seconds = 10;
  int rounds = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--devices") devices = std::strtoul(argv[i + 1], nullptr, 10);
    if (k == "--idle") idle = argv[i + 1];
    if (k == "--guess-seconds") guessSeconds = std::atof(argv[i + 1]);
    if (k == "--scrapers") scrapers = std::atoi(argv[i + 1]);
    if (k == "--slow") slow = argv[i + 1];
    if (k == "--seconds") seconds = std::atof(argv[i + 1]);
    if (k == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  for (int n : parseList(idle)) scrapeWithIdle(devices, n);
  bool ok = true;
  if (scrapers > 0) ok = scrapeUnderLoad(devices, scrapers, parseList(slow), seconds, rounds);
  if (guessSeconds > 0) {
    guesses(guessSeconds, 1);
    guesses(guessSeconds, 8);
  }
  return ok ? 0 : 1;
}

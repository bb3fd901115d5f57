// SPDX-License-Identifier: Apache-2.0
// The /metrics server against hostile clients: idle connections must not stall a scrape, and
// basic-auth guessing is slowed down and logged. Real server on 127.0.0.1:0, real sockets.
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "app/metrics_server.h"
#include "exposition.h"
#include "http_get.h"
#include "synthetic_fleet.h"

namespace ibackupmon {
namespace {

using testing::httpGet;
using SteadyClock = std::chrono::steady_clock;

using testing::kNow;

MetricsExporterOptions exporterOptions() {
  MetricsExporterOptions o;
  o.conditionIds = testing::syntheticConditionIds();
  return o;
}

double secondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// A client that connects and sends half a request header, then nothing.
class IdleClient {
 public:
  explicit IdleClient(std::uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    const char partial[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (connected_) send(fd_, partial, sizeof partial - 1, MSG_NOSIGNAL);
  }
  ~IdleClient() {
    if (fd_ >= 0) close(fd_);
  }
  IdleClient(const IdleClient&) = delete;
  IdleClient& operator=(const IdleClient&) = delete;
  bool connected() const { return connected_; }

  /// True when the server closes the connection within `seconds`.
  bool closedByServerWithin(double seconds) const {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(seconds * 1000)) <= 0) return false;
    char c;
    return recv(fd_, &c, 1, MSG_DONTWAIT) <= 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

using testing::writeTempFile;

// 300 clients each holding a connection with half a header must not delay Prometheus: its scrape
// is answered within 1 s (with a thread per connection it waited for their timeouts, 10 s each).
TEST(MetricsServerLimits, ScrapeAnswersWithin1sWhile300ConnectionsIdle) {
  MetricsExporter exporter(exporterOptions());
  exporter.onFleetStatus(testing::makeSyntheticFleet(100, kNow));
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  std::vector<std::unique_ptr<IdleClient>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<IdleClient>((*server)->port()));
    ASSERT_TRUE(idle.back()->connected()) << "idle connection " << i;
  }
  const auto start = SteadyClock::now();
  const auto reply = httpGet((*server)->port(), "/metrics", "", "Accept-Encoding: gzip\r\n");
  const double took = secondsSince(start);
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_NE(reply.headers.find("Content-Encoding: gzip"), std::string::npos);
  EXPECT_LT(took, 1.0) << "scrape took " << took << " s with 300 idle connections";
}

// A connection that never finishes its header is closed at the header deadline.
TEST(MetricsServerLimits, HeaderDeadlineClosesAnIdleConnection) {
  MetricsExporter exporter(exporterOptions());
  auto server = MetricsServer::start(
      {.listen = "127.0.0.1:0", .headerTimeout = std::chrono::milliseconds(300)}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  IdleClient idle((*server)->port());
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.closedByServerWithin(30));
}

// At the connection cap a new connection evicts the oldest one still sending its header, and the
// scrape on the new one is served.
TEST(MetricsServerLimits, AtTheCapTheOldestIdleConnectionMakesRoom) {
  MetricsExporter exporter(exporterOptions());
  auto server = MetricsServer::start({.listen = "127.0.0.1:0", .maxConnections = 4}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  std::vector<std::unique_ptr<IdleClient>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<IdleClient>((*server)->port()));
  const auto reply = httpGet((*server)->port(), "/metrics");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_TRUE(idle.front()->closedByServerWithin(30));
  EXPECT_FALSE(idle.back()->closedByServerWithin(0));
}

TEST(MetricsServerLimits, BasicAuthSchemeIsCaseInsensitive) {
  MetricsExporter exporter(exporterOptions());
  const std::string file = writeTempFile("s3cret\n");
  auto server = MetricsServer::start(
      {.listen = "127.0.0.1:0", .basicAuthUser = "prom", .basicAuthPasswordFile = file}, exporter);
  std::remove(file.c_str());
  ASSERT_TRUE(server) << server.error().message;
  const std::string token = testing::basicAuth("prom", "s3cret").substr(6);
  for (const char* scheme : {"Basic ", "basic ", "BASIC ", "bAsIc  "}) {
    const auto reply = httpGet((*server)->port(), "/metrics", scheme + token);
    EXPECT_EQ(reply.status, 200) << "scheme \"" << scheme << "\": " << reply.error;
  }
  EXPECT_EQ(httpGet((*server)->port(), "/metrics", "Basicx " + token).status, 401);
}

// Captures what the server logs through spdlog's default logger.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  int linesContaining(const std::string& what) {
    spdlog::default_logger()->flush();
    std::istringstream in(out_.str());
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(what) != std::string::npos;
    return n;
  }
  std::string text() { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

// Wrong passwords from one address: the first few are answered at once, then each waits longer
// (250 ms, 500 ms, 1 s with the default policy); they are logged, but not one line each; the right
// password from the same address still gets in.
TEST(MetricsServerLimits, RepeatedWrongPasswordsAreSlowedAndLogged) {
  LogCapture log;
  MetricsExporter exporter(exporterOptions());
  const std::string file = writeTempFile("s3cret\n");
  const MetricsServerOptions options{
      .listen = "127.0.0.1:0", .basicAuthUser = "prom", .basicAuthPasswordFile = file};
  auto server = MetricsServer::start(options, exporter);
  std::remove(file.c_str());
  ASSERT_TRUE(server) << server.error().message;
  const auto port = (*server)->port();
  const int free = options.authThrottle.freeFailures;
  const auto start = SteadyClock::now();
  for (int i = 0; i < free; ++i) {
    ASSERT_EQ(httpGet(port, "/metrics", testing::basicAuth("prom", "guess")).status, 401);
  }
  const double freeSeconds = secondsSince(start);
  const auto slowStart = SteadyClock::now();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(httpGet(port, "/metrics", testing::basicAuth("prom", "guess")).status, 401);
  }
  const double slowSeconds = secondsSince(slowStart);
  std::printf("first %d guesses: %.1f/s; next 3: %.2f/s\n", free, free / freeSeconds,
              3 / slowSeconds);
  const auto first = options.authThrottle.firstDelay;
  const double minimum = std::chrono::duration<double>(first + 2 * first + 4 * first).count();
  EXPECT_GE(slowSeconds, minimum * 0.95);
  EXPECT_EQ(log.linesContaining("wrong basic auth credentials from 127.0.0.1"), 1) << log.text();
  EXPECT_NE(log.text().find("\"prom\""), std::string::npos) << log.text();

  const auto right = httpGet(port, "/metrics", testing::basicAuth("prom", "s3cret"));
  EXPECT_EQ(right.status, 200) << right.error;
  EXPECT_NE(right.body.find("ibackupmon_build_info"), std::string::npos);
}

// Guesses over parallel connections wait their turn one after another: parallelism does not
// multiply the guess rate.
TEST(MetricsServerLimits, ParallelGuessesQueueBehindEachOther) {
  MetricsExporter exporter(exporterOptions());
  const std::string file = writeTempFile("s3cret\n");
  MetricsServerOptions options{
      .listen = "127.0.0.1:0", .basicAuthUser = "prom", .basicAuthPasswordFile = file};
  options.authThrottle.freeFailures = 1;
  options.authThrottle.firstDelay = std::chrono::milliseconds(200);
  options.authThrottle.maxDelay = std::chrono::milliseconds(200);
  auto server = MetricsServer::start(options, exporter);
  std::remove(file.c_str());
  ASSERT_TRUE(server) << server.error().message;
  const auto port = (*server)->port();
  ASSERT_EQ(httpGet(port, "/metrics", testing::basicAuth("prom", "guess")).status, 401);
  const auto start = SteadyClock::now();
  std::vector<std::thread> guessers;
  std::atomic<int> answered{0};
  for (int i = 0; i < 6; ++i) {
    guessers.emplace_back([&] {
      answered += httpGet(port, "/metrics", testing::basicAuth("prom", "guess")).status == 401;
    });
  }
  for (auto& t : guessers) t.join();
  EXPECT_EQ(answered, 6);
  EXPECT_GE(secondsSince(start), 6 * 0.2 * 0.95);
}

// "[::1]:PORT" listens on IPv6 only; the scrape works over it.
TEST(MetricsServerLimits, ServesOverIpv6Loopback) {
  MetricsExporter exporter(exporterOptions());
  auto server = MetricsServer::start({.listen = "[::1]:0"}, exporter);
  if (!server) GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message;
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons((*server)->port());
  addr.sin6_addr = in6addr_loopback;
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: [::1]\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[65536];
  for (ssize_t got; (got = recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, got);
  close(fd);
  EXPECT_EQ(reply.compare(0, 15, "HTTP/1.1 200 OK"), 0) << reply.substr(0, 200);
  EXPECT_NE(reply.find("ibackupmon_build_info"), std::string::npos);
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/metrics_server.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>

#include "exposition.h"
#include "http_get.h"
#include "synthetic_fleet.h"

namespace ibackupmon {
namespace {

using testing::httpGet;

using testing::kNow;

MetricsExporterOptions options() {
  MetricsExporterOptions o;
  o.conditionIds = testing::syntheticConditionIds();
  return o;
}

using testing::writeTempFile;

// The whole exposition, hostile device included, passes Prometheus's own linter with nothing to
// say: names, types, units, help, escaping.
TEST(MetricsServer, ServesAFleetThatPromtoolAccepts) {
  MetricsExporter exporter(options());
  FleetView view = testing::makeSyntheticFleet(40, kNow);
  view.devices.push_back(testing::makeHostileDevice(kNow));
  exporter.onFleetStatus(view);
  exporter.onProbeOutcome({.probe = "backup", .status = ProbeStatus::Error, .error = "timeout"});
  exporter.onFeedSuccess(kFeedAppleStatus, kNow);
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_NE((*server)->port(), 0);
  const auto reply = httpGet((*server)->port(), "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_NE(reply.headers.find("Content-Type: text/plain"), std::string::npos) << reply.headers;
  EXPECT_EQ(testing::samplesOf(reply.body, "ibackupmon_device_info").size(), 41u);
  int exitCode = -1;
  const std::string lint = testing::promtoolCheckMetrics(reply.body, exitCode);
  EXPECT_EQ(exitCode, 0);
  EXPECT_EQ(lint, "") << "promtool check metrics complained";
}

TEST(MetricsServer, ScrapesSeeFleetUpdatesAndRemovals) {
  MetricsExporter exporter(options());
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  exporter.onFleetStatus(testing::makeSyntheticFleet(3, kNow));
  EXPECT_EQ(
      testing::samplesOf(httpGet((*server)->port(), "/metrics").body, "ibackupmon_device_info")
          .size(),
      3u);
  exporter.onFleetStatus(testing::makeSyntheticFleet(1, kNow));
  EXPECT_EQ(
      testing::samplesOf(httpGet((*server)->port(), "/metrics").body, "ibackupmon_device_info")
          .size(),
      1u);
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return "inflateInit2 failed";
  std::string out(in.size() * 40 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int ret = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return ret == Z_STREAM_END ? out : "inflate failed";
}

// Prometheus always asks for gzip: the compressed reply is the same exposition.
TEST(MetricsServer, GzipWhenAskedIsTheSameText) {
  MetricsExporter exporter(options());
  exporter.onFleetStatus(testing::makeSyntheticFleet(50, kNow));
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  const auto plain = httpGet((*server)->port(), "/metrics");
  const auto packed = httpGet((*server)->port(), "/metrics", "", "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(plain.status, 200) << plain.error;
  ASSERT_EQ(packed.status, 200) << packed.error;
  EXPECT_EQ(plain.headers.find("Content-Encoding"), std::string::npos) << plain.headers;
  EXPECT_NE(packed.headers.find("Content-Encoding: gzip"), std::string::npos) << packed.headers;
  EXPECT_LT(packed.body.size() * 5, plain.body.size());
  EXPECT_EQ(gunzip(packed.body), plain.body);
  EXPECT_EQ(plain.body, exporter.render());
}

TEST(MetricsServer, OnlyMetricsIsServed) {
  MetricsExporter exporter(options());
  auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(httpGet((*server)->port(), "/").status, 404);
  EXPECT_EQ(httpGet((*server)->port(), "/etc/passwd").status, 404);
}

TEST(MetricsServer, BasicAuthGuardsTheEndpoint) {
  MetricsExporter exporter(options());
  const std::string file = writeTempFile("s3cret pass\n");
  auto server = MetricsServer::start(
      {.listen = "127.0.0.1:0", .basicAuthUser = "prom", .basicAuthPasswordFile = file}, exporter);
  std::remove(file.c_str());
  ASSERT_TRUE(server) << server.error().message;
  const auto port = (*server)->port();
  EXPECT_EQ(httpGet(port, "/metrics").status, 401);
  EXPECT_EQ(httpGet(port, "/metrics", testing::basicAuth("prom", "wrong")).status, 401);
  EXPECT_EQ(httpGet(port, "/metrics", testing::basicAuth("other", "s3cret pass")).status, 401);
  const auto ok = httpGet(port, "/metrics", testing::basicAuth("prom", "s3cret pass"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("ibackupmon_build_info"), std::string::npos);
}

TEST(MetricsServer, BadSettingsAreClearErrors) {
  MetricsExporter exporter(options());
  for (const char* listen : {"9847", "localhost:9847", "127.0.0.1:99999", "127.0.0.1:x", "[::1"}) {
    auto s = MetricsServer::start({.listen = listen}, exporter);
    ASSERT_FALSE(s) << listen;
    EXPECT_EQ(s.error().code, "metrics_listen");
    EXPECT_NE(s.error().message.find(listen), std::string::npos) << s.error().message;
  }
  auto missing = MetricsServer::start(
      {.basicAuthUser = "prom", .basicAuthPasswordFile = "/nonexistent/pass"}, exporter);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/pass"), std::string::npos);
  auto half = MetricsServer::start({.basicAuthUser = "prom"}, exporter);
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().code, "metrics_basic_auth");
}

TEST(MetricsServer, PortInUseIsAnErrorNotACrash) {
  MetricsExporter exporter(options());
  auto first = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
  ASSERT_TRUE(first);
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = MetricsServer::start({.listen = taken}, exporter);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find(taken), std::string::npos) << second.error().message;
}

// Only the address check: serving over ::1 is MetricsServerLimits.ServesOverIpv6Loopback.
TEST(MetricsServer, ListenAcceptsAnIpv6Literal) {
  EXPECT_TRUE(parseListenPort("[::1]:0"));
  EXPECT_EQ(parseListenPort("0.0.0.0:9847").value_or(0), 9847);
}

}  // namespace
}  // namespace ibackupmon

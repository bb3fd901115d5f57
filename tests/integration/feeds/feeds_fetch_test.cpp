// SPDX-License-Identifier: Apache-2.0
// The HTTP client and both feed fetchers against a real loopback HTTP(S) server.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "alert/apple_status.h"
#include "alert/http_client.h"
#include "alert/ios_catalog.h"
#include "loopback_feed_server.h"

#include <nlohmann/json.hpp>

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackFeedServer;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(IBACKUPMON_SOURCE_DIR) + "/tests/fixtures/feeds/" + name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const TimePoint kNow = fromUnixSeconds(1716402600);  // the fixtures' "now"

class FeedsFetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new LoopbackFeedServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  AppleStatusConfig apple(const std::string& path) const {
    AppleStatusConfig c;
    c.url = server_->url(path);
    return c;
  }
  static LoopbackFeedServer* server_;
  CurlHttpClient http_;
};
LoopbackFeedServer* FeedsFetchTest::server_ = nullptr;

TEST_F(FeedsFetchTest, GetReturnsTheDecodedBodyStatusAndType) {
  auto r = http_.get(server_->url("/fixtures/apple_status_current.json"), HttpOptions{});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, fixture("apple_status_current.json"));  // gzip was negotiated and decoded
  EXPECT_EQ(r->contentType, "application/json");
}

TEST_F(FeedsFetchTest, NonSuccessStatusIsAResponseAndTheFeedCallsItAnError) {
  auto r = http_.get(server_->url("/status/503"), HttpOptions{});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  auto report = fetchAppleStatus(http_, apple("/status/503"), kNow);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, "http_status");
  EXPECT_NE(report.error().message.find("HTTP 503"), std::string::npos) << report.error().message;
  EXPECT_EQ(fetchAppleStatus(http_, apple("/status/404"), kNow).error().code, "http_status");
}

TEST_F(FeedsFetchTest, SlowServerTimesOut) {
  HttpOptions o;
  o.timeout = 300ms;
  auto r = http_.get(server_->url("/slow?ms=3000"), o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "http_timeout");
  EXPECT_NE(r.error().message.find("300 ms"), std::string::npos) << r.error().message;
}

TEST_F(FeedsFetchTest, OversizedBodiesAreCutOffWithOrWithoutContentLength) {
  HttpOptions o;
  o.maxBodyBytes = 1u << 20;
  for (const char* path : {"/huge?bytes=3000000", "/huge?bytes=3000000&cl=1"}) {
    auto r = http_.get(server_->url(path), o);
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_EQ(r.error().code, "http_too_large") << path << ": " << r.error().message;
  }
  auto feed = fetchAppleStatus(http_, apple("/huge?bytes=9000000"), kNow);
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code, "http_too_large");
}

TEST_F(FeedsFetchTest, RedirectsAreFollowedUnlessDisabled) {
  auto report = fetchAppleStatus(http_, apple("/redirect"), kNow);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->find("iCloud Backup")->activeEvents.size(), 1u);
  HttpOptions o;
  o.maxRedirects = 0;
  EXPECT_EQ(http_.get(server_->url("/redirect"), o)->status, 302);
}

TEST_F(FeedsFetchTest, RefusedConnectionAndBadUrlAreClassified) {
  int freePort = 0;
  {
    LoopbackFeedServer other;
    freePort = other.port();
  }  // stopped: nothing listens there now
  auto r = http_.get("http://127.0.0.1:" + std::to_string(freePort) + "/", HttpOptions{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "http_connect") << r.error().message;
  EXPECT_EQ(http_.get("ftp://127.0.0.1/x", HttpOptions{}).error().code, "http_bad_url");
  auto secret =
      http_.get("http://user:s3cret@127.0.0.1:" + std::to_string(freePort) + "/", HttpOptions{});
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error().message.find("s3cret"), std::string::npos) << secret.error().message;
}

TEST_F(FeedsFetchTest, PostJsonSendsTheBodyTypeAndUserAgent) {
  const std::string json = R"([{"labels":{"alertname":"BackupStale"}}])";
  auto r = http_.postJson(server_->url("/echo"), json, HttpOptions{});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto echo = nlohmann::json::parse(r->body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["content_type"], "application/json");
  EXPECT_EQ(echo["user_agent"], std::string("ibackupmon/") + IBACKUPMON_VERSION);
  EXPECT_EQ(echo["body"], json);
}

TEST_F(FeedsFetchTest, CancelAbortsATransferInProgress) {
  // How many /slow requests the server has received; the cancel waits for ours to arrive.
  const auto slowStarted = [] {
    CurlHttpClient side;
    auto r = side.get(server_->url("/slow_started"), HttpOptions{});
    return r ? std::stoi(r->body) : -1;
  };
  const int before = slowStarted();
  ASSERT_GE(before, 0);
  std::atomic<bool> cancel{false};
  std::atomic<bool> arrived{false};
  HttpOptions o;
  o.cancel = &cancel;
  std::thread canceller([&] {
    const auto deadline = std::chrono::steady_clock::now() + 9s;
    while (!(arrived = slowStarted() > before) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    cancel = true;
  });
  const auto began = std::chrono::steady_clock::now();
  auto r = http_.get(server_->url("/slow?ms=10000"), o);
  const auto took = std::chrono::steady_clock::now() - began;
  canceller.join();
  ASSERT_TRUE(arrived) << "the request never reached the server";
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "http_cancelled");
  EXPECT_LT(took, 9s) << "the transfer ran to its end: cancelling did not abort it";
}

TEST_F(FeedsFetchTest, AppleStatusFixturesInEveryShape) {
  EXPECT_TRUE(fetchAppleStatus(http_, apple("/fixtures/apple_status_current.json"), kNow));
  auto jsonp = fetchAppleStatus(http_, apple("/fixtures/apple_status_jsonp.js"), kNow);
  ASSERT_TRUE(jsonp.has_value()) << jsonp.error().message;
  EXPECT_EQ(jsonp->find("iCloud Backup")->activeEvents.size(), 1u);
  EXPECT_EQ(
      fetchAppleStatus(http_, apple("/fixtures/apple_status_error_page.html"), kNow).error().code,
      "apple_status_html");
  EXPECT_EQ(
      fetchAppleStatus(http_, apple("/fixtures/apple_status_old_format.json"), kNow).error().code,
      "apple_status_old_format");
  auto missing =
      fetchAppleStatus(http_, apple("/fixtures/apple_status_missing_service.json"), kNow);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->missingServices, std::vector<std::string>{"iCloud Backup"});
}

TEST_F(FeedsFetchTest, IosCatalogOverHttp) {
  IosConfig c;
  c.catalogUrl = server_->url("/fixtures/ios_catalog_pmv.json");
  auto catalog = fetchIosCatalog(http_, c);
  ASSERT_TRUE(catalog.has_value()) << catalog.error().message;
  EXPECT_EQ(catalog->newestFor("iPhone14,5", fromUnixSeconds(1730419200))->version, "18.1");
  c.catalogUrl = server_->url("/status/500");
  EXPECT_EQ(fetchIosCatalog(http_, c).error().code, "http_status");
  EXPECT_EQ(fetchIosCatalog(http_, IosConfig{}).error().code, "ios_catalog_off");
}

// The catalog's TLS chains to a CA of its own (Apple's root in production): [ios] ca_file.
TEST(FeedsTlsTest, CatalogOverHttpsNeedsTheConfiguredCaFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ibackupmon-feeds-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string();
  const std::string key = (dir / "key.pem").string();
  const auto openssl = testing::runProcess(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
       "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
      {.err = testing::Output::discard()});
  ASSERT_EQ(openssl.exitCode, 0) << "openssl req failed";
  {
    LoopbackFeedServer tls({"--tls", cert, key});
    CurlHttpClient http;
    IosConfig c;
    c.catalogUrl = tls.url("/fixtures/ios_catalog_pmv.json", "https");
    auto untrusted = fetchIosCatalog(http, c);
    ASSERT_FALSE(untrusted.has_value());
    EXPECT_EQ(untrusted.error().code, "http_tls") << untrusted.error().message;
    c.caFile = cert;
    auto trusted = fetchIosCatalog(http, c);
    ASSERT_TRUE(trusted.has_value()) << trusted.error().message;
    EXPECT_GT(trusted->releaseCount(), 0u);
    c.caFile = (dir / "missing.pem").string();
    auto noFile = fetchIosCatalog(http, c);
    ASSERT_FALSE(noFile.has_value());
    EXPECT_EQ(noFile.error().code, "http_tls");
    EXPECT_NE(noFile.error().message.find("missing.pem"), std::string::npos)
        << noFile.error().message;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ibackupmon

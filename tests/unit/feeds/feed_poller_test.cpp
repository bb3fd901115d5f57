// SPDX-License-Identifier: Apache-2.0
#include "app/feed_poller.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "app/feed_pollers.h"
#include "fake_http_client.h"
#include "feed_fixtures.h"
#include "support/fake_clock.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpClient;
using testing::fixtureNow;
using testing::readFeedFixture;

class RecordingObserver final : public FeedObserver {
 public:
  void onFeedSuccess(std::string_view feed, TimePoint at) override {
    successes.emplace_back(feed);
    lastSuccessAt = at;
  }
  void onFeedError(std::string_view feed, const Error& e) override {
    errors.push_back(std::string(feed) + ":" + e.code);
  }
  void onAppleStatus(const AppleStatusReport& r) override { reports.push_back(r); }

  std::vector<std::string> successes;
  std::vector<std::string> errors;
  std::vector<AppleStatusReport> reports;
  TimePoint lastSuccessAt{};
};

class FeedPollerTest : public ::testing::Test {
 protected:
  FeedPollerTest() : logger_(std::make_shared<spdlog::logger>("feeds", sink_)) {}

  // Runs the loop until `done` holds, failing after a generous deadline.
  template <class Pred>
  void runUntil(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "condition not reached";
      ioc_.restart();
      ioc_.run_for(5ms);
    }
  }

  static FeedSchedule fast() {
    FeedSchedule s;
    s.interval = 20ms;
    s.firstRetry = 1ms;
    s.maxRetry = 20ms;
    return s;
  }
  AppleStatusConfig appleConfig() const {
    AppleStatusConfig c;
    c.url = "http://127.0.0.1:1/status.js";
    return c;
  }

  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_ =
      boost::asio::make_strand(ioc_);
  FakeClock clock_{fixtureNow()};
  FakeHttpClient http_;
  RecordingObserver observer_;
  std::ostringstream logText_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_ =
      std::make_shared<spdlog::sinks::ostream_sink_mt>(logText_);
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(FeedPollerTest, AppleStatusReportReachesObserversAndIsKept) {
  http_.push(200, readFeedFixture("apple_status_current.json"));
  AppleStatusPoller poller(strand_, http_, appleConfig(), clock_, {&observer_}, logger_, fast());
  poller.start();
  runUntil([&] { return !observer_.successes.empty(); });
  poller.stop();
  EXPECT_EQ(http_.lastUrl(), "http://127.0.0.1:1/status.js");
  ASSERT_FALSE(observer_.reports.empty());
  EXPECT_EQ(observer_.reports[0].find("iCloud Backup")->activeEvents.size(), 1u);
  EXPECT_EQ(observer_.successes[0], "apple_status");
  EXPECT_EQ(observer_.lastSuccessAt, fixtureNow());
  EXPECT_TRUE(observer_.errors.empty());
  auto current = poller.current(clock_.now());
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(current->find("iCloud Backup")->activeEvents[0].messageId, "1000012345");
  EXPECT_EQ(poller.poller().lastSuccess(), fixtureNow());
  // A report older than maxAge says nothing about now: unknown, not "no outage".
  EXPECT_EQ(poller.current(clock_.now() + poller.maxAge() + 1s), nullptr);
}

TEST_F(FeedPollerTest, FailuresAreCountedLoggedOnceAndTheLastGoodReportIsKept) {
  http_.push(200, readFeedFixture("apple_status_current.json"));
  http_.pushError("http_timeout", "GET http://127.0.0.1:1/status.js: no complete response");
  http_.pushError("http_timeout", "GET http://127.0.0.1:1/status.js: no complete response");
  http_.push(503, "<html><title>Service Unavailable</title></html>");
  http_.push(200, readFeedFixture("apple_status_error_page.html"));
  http_.push(200, readFeedFixture("apple_status_current.json"));
  AppleStatusPoller poller(strand_, http_, appleConfig(), clock_, {&observer_}, logger_, fast());
  poller.start();
  runUntil([&] { return observer_.successes.size() >= 2; });
  poller.stop();
  const std::vector<std::string> expected = {
      "apple_status:http_timeout", "apple_status:http_timeout", "apple_status:http_status",
      "apple_status:apple_status_html"};
  EXPECT_EQ(observer_.errors, expected);
  EXPECT_NE(poller.current(clock_.now()), nullptr);  // kept through the failures
  const std::string log = logText_.str();
  // The repeated timeout is logged once; each change of cause and the recovery once each.
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 4) << log;
  EXPECT_NE(log.find("feed apple_status failed (http_timeout)"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 503"), std::string::npos) << log;
  EXPECT_NE(log.find("recovered after 4 failed fetches"), std::string::npos) << log;
}

TEST_F(FeedPollerTest, MissingWatchedServiceIsAnErrorButTheOthersArePublished) {
  http_.push(200, readFeedFixture("apple_status_missing_service.json"));
  AppleStatusPoller poller(strand_, http_, appleConfig(), clock_, {&observer_}, logger_, fast());
  poller.start();
  runUntil([&] { return !observer_.errors.empty(); });
  poller.stop();
  EXPECT_EQ(observer_.errors[0], "apple_status:apple_status_missing_service");
  EXPECT_TRUE(observer_.successes.empty());
  ASSERT_FALSE(observer_.reports.empty());
  EXPECT_EQ(observer_.reports[0].missingServices, std::vector<std::string>{"iCloud Backup"});
  EXPECT_NE(logText_.str().find("\"iCloud Backup\" not in the feed"), std::string::npos);
}

TEST_F(FeedPollerTest, DisabledFeedsNeverFetch) {
  AppleStatusConfig off;
  AppleStatusPoller apple(strand_, http_, off, clock_, {&observer_}, logger_, fast());
  IosCatalogPoller ios(strand_, http_, IosConfig{}, clock_, {&observer_}, logger_, fast());
  EXPECT_FALSE(apple.enabled());
  EXPECT_FALSE(ios.enabled());
  apple.start();
  ios.start();
  ioc_.run_for(30ms);  // nothing may happen: there is no condition to await
  EXPECT_EQ(http_.calls(), 0);
  EXPECT_EQ(apple.current(clock_.now()), nullptr);
  EXPECT_FALSE(ios.newestFor(std::string("iPhone13,2"), clock_.now()).has_value());
}

TEST_F(FeedPollerTest, IosCatalogGivesTheNewestVersionAndUsesTheCaFile) {
  http_.pushError("http_connect", "GET https://gdmf.apple.com/v2/pmv: connection refused");
  http_.push(200, readFeedFixture("ios_catalog_pmv.json"));
  IosConfig config;
  config.catalogUrl = "https://gdmf.apple.com/v2/pmv";
  config.caFile = "/etc/ibackupmon/apple-root.pem";
  IosCatalogPoller poller(strand_, http_, config, clock_, {&observer_}, logger_, fast());
  poller.start();
  EXPECT_FALSE(poller.newestFor(std::string("iPhone13,2"), clock_.now()).has_value());
  runUntil([&] { return !observer_.successes.empty(); });
  poller.stop();
  EXPECT_EQ(observer_.errors, std::vector<std::string>{"ios_catalog:http_connect"});
  EXPECT_EQ(http_.lastCaFile(), "/etc/ibackupmon/apple-root.pem");
  EXPECT_EQ(poller.newestFor(std::string("iPhone13,2"), clock_.now()), "18.1");
  EXPECT_EQ(poller.newestFor(std::string("iPhone10,4"), clock_.now()), "16.7.10");
  EXPECT_FALSE(poller.newestFor(std::nullopt, clock_.now()).has_value());
}

TEST_F(FeedPollerTest, StopAbortsAFetchThatNeverCompletes) {
  http_.pushHang();
  AppleStatusPoller poller(strand_, http_, appleConfig(), clock_, {&observer_}, logger_, fast());
  poller.start();
  runUntil([&] { return http_.calls() == 1; });
  poller.stop();  // returns only once the worker has seen the cancel flag
  ioc_.restart();
  ioc_.poll();  // the aborted fetch's result must not reach anyone after stop
  EXPECT_TRUE(observer_.errors.empty());
  EXPECT_TRUE(observer_.successes.empty());
  poller.start();  // stop is final
  ioc_.restart();
  ioc_.poll();
  EXPECT_EQ(http_.calls(), 1);
}

}  // namespace
}  // namespace ibackupmon

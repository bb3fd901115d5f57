// SPDX-License-Identifier: Apache-2.0
#include "app/feed_poller_log.h"

#include <gtest/gtest.h>

#include "app/feed_poller.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = fromUnixSeconds(1700000000);

TEST(FeedFailureLogTest, FirstFailureIsLoggedRepeatsAreRateLimitedRecoveryOnce) {
  FeedFailureLog log("apple_status", hours(1));
  const Error timeout{"http_timeout", "GET u: no complete response within 30000 ms"};
  auto first = log.onFailure(timeout, kT0);
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->find("feed apple_status failed (http_timeout)"), std::string::npos) << *first;
  EXPECT_FALSE(log.onFailure(timeout, kT0 + minutes(5)).has_value());
  EXPECT_FALSE(log.onFailure(timeout, kT0 + minutes(59)).has_value());
  auto hourly = log.onFailure(timeout, kT0 + minutes(61));
  ASSERT_TRUE(hourly.has_value());
  EXPECT_NE(hourly->find("4 consecutive failures"), std::string::npos) << *hourly;
  EXPECT_NE(hourly->find("2 not logged"), std::string::npos) << *hourly;
  EXPECT_EQ(log.consecutiveFailures(), 4u);
  auto recovered = log.onSuccess(kT0 + minutes(70));
  ASSERT_TRUE(recovered.has_value());
  EXPECT_NE(recovered->find("recovered after 4 failed fetches"), std::string::npos) << *recovered;
  EXPECT_FALSE(log.onSuccess(kT0 + minutes(75)).has_value());
  EXPECT_EQ(log.consecutiveFailures(), 0u);
}

TEST(FeedFailureLogTest, AChangedCauseIsLoggedAtOnce) {
  FeedFailureLog log("ios_catalog", hours(1));
  ASSERT_TRUE(log.onFailure({"http_connect", "refused"}, kT0).has_value());
  auto changed = log.onFailure({"ios_catalog_html", "HTML page"}, kT0 + seconds(30));
  ASSERT_TRUE(changed.has_value());
  EXPECT_NE(changed->find("ios_catalog_html"), std::string::npos);
}

TEST(FeedScheduleTest, BackoffDoublesFromFirstRetryUpToTheCap) {
  FeedSchedule s;
  s.interval = minutes(5);
  s.firstRetry = seconds(30);
  s.maxRetry = hours(1);
  EXPECT_EQ(nextFetchDelay(s, 0), minutes(5));
  EXPECT_EQ(nextFetchDelay(s, 1), seconds(30));
  EXPECT_EQ(nextFetchDelay(s, 2), seconds(60));
  EXPECT_EQ(nextFetchDelay(s, 3), seconds(120));
  EXPECT_EQ(nextFetchDelay(s, 4), seconds(240));
  EXPECT_EQ(nextFetchDelay(s, 5), minutes(5));  // never beyond the interval
  EXPECT_EQ(nextFetchDelay(s, 1000000), minutes(5));
  s.interval = hours(24);
  EXPECT_EQ(nextFetchDelay(s, 50), hours(1));  // a daily feed still retries hourly
  s.interval = milliseconds(10);
  EXPECT_EQ(nextFetchDelay(s, 1), milliseconds(10));
}

}  // namespace
}  // namespace ibackupmon

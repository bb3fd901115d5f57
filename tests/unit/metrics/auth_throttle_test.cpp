// SPDX-License-Identifier: Apache-2.0
#include "app/auth_throttle.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const AuthThrottle::Clock::time_point t0{seconds(1000)};

TEST(AuthThrottle, FreeFailuresThenDoublingDelaysUpToTheCap) {
  AuthThrottle throttle(
      {.freeFailures = 2, .firstDelay = milliseconds(100), .maxDelay = milliseconds(300)});
  auto now = t0;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(throttle.admit("a", now), now);
    throttle.failed("a", now);
  }
  for (const int expected : {100, 200, 300, 300}) {
    const auto turn = throttle.admit("a", now);
    ASSERT_TRUE(turn);
    EXPECT_EQ(*turn - now, milliseconds(expected));
    now = *turn;
    throttle.failed("a", now);
  }
  EXPECT_EQ(throttle.admit("b", now), now) << "other clients are not slowed";
}

// One thread, one instant: the queueing arithmetic. With real threads:
// MetricsServerLimits.ParallelGuessesQueueBehindEachOther.
TEST(AuthThrottle, RequestsArrivingTogetherGetSuccessiveTurns) {
  AuthThrottle throttle(
      {.freeFailures = 1, .firstDelay = milliseconds(100), .maxDelay = milliseconds(100)});
  throttle.failed("a", t0);
  EXPECT_EQ(throttle.admit("a", t0), t0 + milliseconds(100));
  EXPECT_EQ(throttle.admit("a", t0), t0 + milliseconds(200));
  EXPECT_EQ(throttle.admit("a", t0), t0 + milliseconds(300));
}

TEST(AuthThrottle, TurnsBeyondMaxWaitAreRefused) {
  AuthThrottle throttle({.freeFailures = 1,
                         .firstDelay = milliseconds(100),
                         .maxDelay = milliseconds(100),
                         .maxWait = milliseconds(250)});
  throttle.failed("a", t0);
  EXPECT_EQ(throttle.admit("a", t0), t0 + milliseconds(100));
  EXPECT_EQ(throttle.admit("a", t0), t0 + milliseconds(200));
  EXPECT_EQ(throttle.admit("a", t0), std::nullopt);
  EXPECT_EQ(throttle.admit("a", t0 + milliseconds(200)), t0 + milliseconds(300))
      << "a refused request takes no turn";
}

TEST(AuthThrottle, SuccessAndQuietTimeForget) {
  AuthThrottle throttle({.freeFailures = 1, .forgetAfter = seconds(60)});
  throttle.failed("a", t0);
  throttle.succeeded("a");
  EXPECT_EQ(throttle.admit("a", t0), t0);
  throttle.failed("b", t0);
  EXPECT_GT(throttle.admit("b", t0), t0);
  const auto later = t0 + seconds(120);
  EXPECT_EQ(throttle.admit("b", later), later);
}

TEST(AuthThrottle, KeepsAtMostMaxClients) {
  AuthThrottle throttle({.freeFailures = 1, .maxClients = 3});
  for (int i = 0; i < 5; ++i) throttle.failed("c" + std::to_string(i), t0 + seconds(i));
  EXPECT_EQ(throttle.admit("c0", t0 + seconds(5)), t0 + seconds(5)) << "stalest forgotten";
  EXPECT_GT(throttle.admit("c4", t0 + seconds(5)), t0 + seconds(5));
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// Attach/detach writes the store refuses are kept, in order, with their own times, and retried.
#include "app/session_recorder.h"

#include <gtest/gtest.h>

#include "fake_store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using Writes = std::vector<std::pair<std::string, TimePoint>>;

TEST(SessionRecorderTest, RefusedWritesAreRetriedInOrderWithTheirOwnTimes) {
  boost::asio::io_context io;
  auto strand = boost::asio::make_strand(io);
  testing::FakeStore store;
  SessionRecorder recorder(store, strand, 5ms);
  const TimePoint t = fromUnixSeconds(1'700'000'000);
  store.failSessionWrites = 3;  // the first attempt and two retries meet a locked database
  boost::asio::post(strand, [&] {
    recorder.record({"A", SessionEvent::Detached, t + 100ms});
    recorder.record({"A", SessionEvent::Attached, t + 400ms});
    recorder.record({"B", SessionEvent::Attached, t + 500ms});
    EXPECT_EQ(recorder.pending(), 3u);
  });
  io.run_for(20s);  // returns as soon as the queue is empty: no timer is left then
  EXPECT_EQ(recorder.pending(), 0u);
  EXPECT_EQ(store.sessionWrites,
            (Writes{{"detach A", t + 100ms}, {"attach A", t + 400ms}, {"attach B", t + 500ms}}));
}

TEST(SessionRecorderTest, StopLeavesTheQueueAndCancelsTheRetry) {
  boost::asio::io_context io;
  auto strand = boost::asio::make_strand(io);
  testing::FakeStore store;
  SessionRecorder recorder(store, strand, 10min);
  store.failSessionWrites = 1;
  boost::asio::post(strand, [&] {
    recorder.record({"A", SessionEvent::Attached, fromUnixSeconds(1)});
    recorder.stop();
  });
  io.run_for(20s);  // the cancelled retry timer completes at once
  EXPECT_EQ(recorder.pending(), 1u);
  EXPECT_TRUE(store.sessionWrites.empty());
}

}  // namespace
}  // namespace ibackupmon

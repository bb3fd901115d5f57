// SPDX-License-Identifier: Apache-2.0
// Attach/detach writes the store refuses are kept, in order, with their own times, and retried.
#include "app/session_recorder.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "manual_time.h"
#include "temp_store.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using Writes = std::vector<std::pair<std::string, TimePoint>>;  // the store keeps seconds

class SessionRecorderTest : public ::testing::Test {
 protected:
  ~SessionRecorderTest() override {
    work.reset();
    io.stop();
    if (loop.joinable()) loop.join();
  }

  // Runs fn on the strand and waits for it.
  void onStrand(const std::function<void()>& fn) {
    std::promise<void> done;
    boost::asio::post(strand, [&] {
      fn();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  }

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      io.get_executor()};
  TimerService::Strand strand = boost::asio::make_strand(io);
  std::thread loop{[this] { io.run(); }};
  std::shared_ptr<testing::ManualTime> time =
      std::make_shared<testing::ManualTime>(fromUnixSeconds(1'700'000'000));
  testing::TempStore db;
  testing::SessionRefusingStore store{*db};
};

TEST_F(SessionRecorderTest, RefusedWritesAreRetriedInOrderWithTheirOwnTimes) {
  SessionRecorder recorder(store, *time, strand, 2s);
  const TimePoint t = fromUnixSeconds(1'700'000'000);
  onStrand([&] {
    store.failSessionWrites = 3;  // the first attempt and two retries meet a locked database
    recorder.record({"A", SessionEvent::Detached, t + 1s});
    recorder.record({"A", SessionEvent::Attached, t + 4s});
    recorder.record({"B", SessionEvent::Attached, t + 5s});
    EXPECT_EQ(recorder.pending(), 3u);
  });
  time->advance(1999ms);
  onStrand([&] { EXPECT_EQ(recorder.pending(), 3u) << "retried before its pause"; });
  time->advance(1ms);
  time->advance(2s);
  onStrand([&] { EXPECT_EQ(recorder.pending(), 3u) << "two retries refused"; });
  time->advance(2s);
  onStrand([&] {
    EXPECT_EQ(recorder.pending(), 0u);
    EXPECT_EQ(store.sessionWrites,
              (Writes{{"detach A", t + 1s}, {"attach A", t + 4s}, {"attach B", t + 5s}}));
    auto a = db->timeline("A");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->sessions.size(), 1u);  // the earlier detach closed nothing
    EXPECT_EQ(a->sessions[0].attached, t + 4s);
    EXPECT_FALSE(a->sessions[0].detached);
  });
}

TEST_F(SessionRecorderTest, StopLeavesTheQueueAndCancelsTheRetry) {
  SessionRecorder recorder(store, *time, strand, 10min);
  onStrand([&] {
    store.failSessionWrites = 1;
    recorder.record({"A", SessionEvent::Attached, fromUnixSeconds(1'700'000'000)});
    recorder.stop();
  });
  time->advance(20min);
  onStrand([&] {
    EXPECT_EQ(recorder.pending(), 1u);
    EXPECT_TRUE(store.sessionWrites.empty());
    EXPECT_FALSE(db->timeline("A")) << "never written";
  });
}

// In a group commit: what was written stays queued until the group is settled. A group that did
// not commit keeps every transition, in order, for the retry.
TEST_F(SessionRecorderTest, QueuedTransitionsLeaveOnlyWhenTheirGroupCommitted) {
  SessionRecorder recorder(store, *time, strand, 2s);
  const TimePoint t = fromUnixSeconds(1'700'000'000);
  onStrand([&] {
    recorder.queue({"A", SessionEvent::Attached, t + 1s});
    recorder.queue({"B", SessionEvent::Attached, t + 2s});
    EXPECT_TRUE(store.sessionWrites.empty()) << "queue() writes nothing";
    // Both are written, then settled as after a group commit that failed: both stay queued and
    // the retry writes them again (an attach is idempotent while its session is open).
    EXPECT_EQ(recorder.writeQueued(), 2u);
    EXPECT_EQ(recorder.pending(), 2u);
    recorder.settle(0);
    EXPECT_EQ(recorder.pending(), 2u);
    recorder.queue({"A", SessionEvent::Detached, t + 3s});
    EXPECT_EQ(recorder.writeQueued(), 0u) << "a retry is due: nothing overtakes it";
  });
  time->advance(2s);
  onStrand([&] {
    EXPECT_EQ(recorder.pending(), 0u);
    EXPECT_EQ(store.sessionWrites, (Writes{{"attach A", t + 1s},
                                           {"attach B", t + 2s},
                                           {"attach A", t + 1s},
                                           {"attach B", t + 2s},
                                           {"detach A", t + 3s}}));
    recorder.queue({"B", SessionEvent::Detached, t + 4s});
    recorder.settle(recorder.writeQueued());
    EXPECT_EQ(recorder.pending(), 0u);
    auto a = db->timeline("A");
    ASSERT_TRUE(a);
    ASSERT_EQ(a->sessions.size(), 1u);
    EXPECT_EQ(a->sessions[0].attached, t + 1s);
    EXPECT_EQ(a->sessions[0].detached, t + 3s);
  });
}

}  // namespace
}  // namespace ibackupmon

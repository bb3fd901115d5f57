// SPDX-License-Identifier: Apache-2.0
#include "store/alert_repository.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.h"

namespace ibackupmon {
namespace {

class AlertRepositoryTest : public ::testing::Test {
 protected:
  AlertRepository open() {
    auto repo = AlertRepository::open(dir_.file("alerts.db"));
    EXPECT_TRUE(repo) << repo.error().message;
    return std::move(*repo);
  }
  testing::TempDir dir_;
  TimePoint t0_ = fromUnixSeconds(1'700'000'000);
};

OutboxMessage message(const std::string& id, TimePoint at) {
  OutboxMessage m;
  m.messageId = id;
  m.channel = "email";
  m.kind = "alert";
  m.subject = "s";
  m.payload = "payload " + id;
  m.createdAt = at;
  m.nextAttemptAt = at;
  return m;
}

TEST_F(AlertRepositoryTest, DecisionAndMessageSurviveReopen) {
  {
    auto repo = open();
    AlertRecord r;
    r.key = {"U1", "backup_stale"};
    r.severity = Severity::Critical;
    r.openedAt = t0_;
    r.lastNotifiedAt = t0_;
    r.notifications = 1;
    r.acknowledged = true;
    auto id = repo.commitDecision({r}, {}, message("<a@h>", t0_));
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_GT(*id, 0);
  }
  auto repo = open();
  auto alerts = repo.loadAlerts();
  ASSERT_TRUE(alerts);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].key, (AlertKey{"U1", "backup_stale"}));
  EXPECT_EQ((*alerts)[0].severity, Severity::Critical);
  EXPECT_EQ((*alerts)[0].lastNotifiedAt, t0_);
  EXPECT_EQ((*alerts)[0].notifications, 1);
  EXPECT_TRUE((*alerts)[0].acknowledged);
  EXPECT_FALSE((*alerts)[0].resolvedAt);
  auto due = repo.due(t0_, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].messageId, "<a@h>");
  EXPECT_EQ((*due)[0].payload, "payload <a@h>");
  EXPECT_EQ(*repo.outboxDepth(), 1);
}

TEST_F(AlertRepositoryTest, DroppedRecordsAreDeleted) {
  auto repo = open();
  AlertRecord r;
  r.key = {"U1", "c"};
  ASSERT_TRUE(repo.commitDecision({r}, {}, std::nullopt));
  ASSERT_TRUE(repo.commitDecision({}, {r.key}, std::nullopt));
  EXPECT_TRUE(repo.loadAlerts()->empty());
}

TEST_F(AlertRepositoryTest, FailureBacksOffAndSentLeavesTheQueue) {
  auto repo = open();
  auto id = repo.enqueue(message("<b@h>", t0_));
  ASSERT_TRUE(id);
  ASSERT_TRUE(repo.markFailed(*id, "connection refused", t0_ + std::chrono::seconds(30)));
  EXPECT_TRUE(repo.due(t0_ + std::chrono::seconds(29), 10)->empty());
  EXPECT_EQ(**repo.nextAttemptAt(), t0_ + std::chrono::seconds(30));
  auto m = repo.byId(*id);
  ASSERT_TRUE(m && *m);
  EXPECT_EQ((*m)->attempts, 1);
  EXPECT_EQ((*m)->lastError, "connection refused");
  ASSERT_TRUE(repo.markSent(*id, t0_ + std::chrono::seconds(31)));
  EXPECT_EQ(*repo.outboxDepth(), 0);
  EXPECT_FALSE(*repo.nextAttemptAt());
  EXPECT_EQ(*repo.pruneSent(t0_ + std::chrono::hours(1)), 1);
}

TEST_F(AlertRepositoryTest, MessageIdIsUnique) {
  auto repo = open();
  ASSERT_TRUE(repo.enqueue(message("<same@h>", t0_)));
  auto again = repo.enqueue(message("<same@h>", t0_));
  EXPECT_FALSE(again);
}

TEST_F(AlertRepositoryTest, AcksPutRemoveExpire) {
  auto repo = open();
  ASSERT_TRUE(repo.putAck(AlertAck{"U1", "", std::nullopt, t0_, "repair"}));
  ASSERT_TRUE(repo.putAck(AlertAck{"U1", "trust_denied", t0_ + std::chrono::hours(1), t0_, ""}));
  ASSERT_TRUE(repo.putAck(AlertAck{"U2", "", t0_ + std::chrono::hours(1), t0_, ""}));
  EXPECT_EQ(repo.loadAcks()->size(), 3u);
  EXPECT_EQ(*repo.removeAcks("U1", "trust_denied"), 1);
  EXPECT_EQ(*repo.pruneExpiredAcks(t0_ + std::chrono::hours(2)), 1);
  auto acks = repo.loadAcks();
  ASSERT_EQ(acks->size(), 1u);
  EXPECT_EQ((*acks)[0].comment, "repair");
  EXPECT_FALSE((*acks)[0].until);
  EXPECT_EQ(*repo.removeAcks("U1", ""), 1);
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "ack_status.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ibackupmon::ctl {
namespace {

using std::chrono::hours;

const TimePoint kNow = fromUnixSeconds(1'800'000'000);

AlertAck ack(std::string udid, std::string condition, std::optional<TimePoint> until,
             TimePoint created, std::string comment = "") {
  return AlertAck{std::move(udid), std::move(condition), until, created, std::move(comment)};
}

TEST(AckStatusTest, NoAcksIsNull) {
  EXPECT_TRUE(summarizeAcks({}, kNow).empty());
  EXPECT_TRUE(ackToStatusJson(nullptr).is_null());
}

TEST(AckStatusTest, ExpiredSnoozeIsLeftOut) {
  auto s = summarizeAcks({ack("U1", "", kNow - hours(1), kNow - hours(5))}, kNow);
  EXPECT_TRUE(s.empty());
}

TEST(AckStatusTest, WholeDeviceAckHasNoConditionsAndNoExpiry) {
  auto s = summarizeAcks({ack("U1", "", std::nullopt, kNow - hours(2), "in repair")}, kNow);
  ASSERT_EQ(s.count("U1"), 1u);
  auto j = ackToStatusJson(&s.at("U1"));
  EXPECT_TRUE(j["until"].is_null());
  EXPECT_EQ(j["conditions"], nlohmann::json::array());
  EXPECT_EQ(j["comment"], "in repair");
  EXPECT_EQ(j["since"], "2027-01-15T06:00:00Z");
}

TEST(AckStatusTest, ConditionAcksMergeWithLatestExpiryAndNewestComment) {
  auto s = summarizeAcks({ack("U1", "storage_low", kNow + hours(3), kNow - hours(4), "old"),
                          ack("U1", "backup_stale", kNow + hours(9), kNow - hours(1), "new"),
                          ack("U2", "backup_stale", std::nullopt, kNow - hours(1))},
                         kNow);
  ASSERT_EQ(s.size(), 2u);
  const auto& u1 = s.at("U1");
  EXPECT_EQ(u1.conditions, (std::vector<std::string>{"backup_stale", "storage_low"}));
  EXPECT_EQ(u1.until, kNow + hours(9));
  EXPECT_EQ(u1.since, kNow - hours(4));
  EXPECT_EQ(u1.comment, "new");
}

TEST(AckStatusTest, OneOpenEndedAckMakesUntilNullAndWholeDeviceWins) {
  auto s = summarizeAcks({ack("U1", "storage_low", kNow + hours(3), kNow - hours(4)),
                          ack("U1", "", std::nullopt, kNow - hours(1))},
                         kNow);
  EXPECT_FALSE(s.at("U1").until.has_value());
  EXPECT_TRUE(s.at("U1").conditions.empty());
}

TEST(AckStatusTest, TableLinesNameTheDeviceAndStripControls) {
  DeviceStatus d;
  d.udid = "U1";
  d.name = "Cart\r\nBcc: x";
  auto s = summarizeAcks({ack("U1", "backup_stale", kNow + hours(1), kNow, "a\nb")}, kNow);
  std::string out = renderAckLines({d}, s);
  EXPECT_EQ(out,
            "Acknowledged (no reminders):\n"
            "  U1 (Cart Bcc: x)  backup_stale  until 2027-01-15T09:00:00Z  a b\n");
  EXPECT_EQ(renderAckLines({d}, {}), "");
}

}  // namespace
}  // namespace ibackupmon::ctl

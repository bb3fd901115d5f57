// SPDX-License-Identifier: Apache-2.0
#include "alert/policy.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace ibackupmon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Drives decide() like the engine does: keeps the state between calls, with a fake clock.
class PolicyDriver {
 public:
  explicit PolicyDriver(AlertPolicy p) : policy_(p), clock_(fromUnixSeconds(1'700'000'000)) {}

  Decision step(const std::vector<ActiveAlert>& active) {
    Decision d = decide(state_, active, acks_, policy_, clock_.now());
    state_ = d.records;
    return d;
  }
  // Steps every `tick` until `total` has passed; returns the notices' times (hours since start).
  std::vector<double> run(const std::vector<ActiveAlert>& active, Duration total, Duration tick) {
    std::vector<double> at;
    TimePoint start = clock_.now();
    for (TimePoint end = start + total; clock_.now() < end; clock_.advance(tick)) {
      if (!step(active).notices.empty()) {
        at.push_back(std::chrono::duration<double, std::ratio<3600>>(clock_.now() - start).count());
      }
    }
    return at;
  }

  AlertPolicy policy_;
  FakeClock clock_;
  std::vector<AlertRecord> state_;
  std::vector<AlertAck> acks_;
};

ActiveAlert stale(const std::string& udid) {
  return ActiveAlert{AlertKey{udid, kBackupStaleCondition}, Severity::Warning, {}};
}

AlertPolicy policy(RepeatPolicy r, Duration window = minutes(10)) {
  AlertPolicy p;
  p.repeat = r;
  p.groupWindow = window;
  return p;
}

TEST(PolicyTest, OpensAfterGroupWindowOnce) {
  PolicyDriver d(policy(RepeatPolicy::Once));
  EXPECT_TRUE(d.step({stale("A")}).notices.empty());  // waits for companions
  d.clock_.advance(minutes(9));
  EXPECT_TRUE(d.step({stale("A")}).notices.empty());
  d.clock_.advance(minutes(1));
  Decision dec = d.step({stale("A")});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].kind, NoticeKind::Opened);
  EXPECT_EQ(d.run({stale("A")}, hours(24 * 30), hours(1)).size(), 0u);  // once = no reminders
}

TEST(PolicyTest, WakeAtPointsAtTheEndOfTheGroupWindow) {
  PolicyDriver d(policy(RepeatPolicy::Once));
  TimePoint t0 = d.clock_.now();
  Decision dec = d.step({stale("A")});
  ASSERT_TRUE(dec.wakeAt);
  EXPECT_EQ(*dec.wakeAt, t0 + minutes(10));
}

TEST(PolicyTest, DevicesFailingWithinTheWindowShareOneEmail) {
  PolicyDriver d(policy(RepeatPolicy::Once));
  std::vector<ActiveAlert> active;
  int emails = 0;
  std::size_t listed = 0;
  for (int i = 0; i < 10; ++i) {  // one more device every 30 s, as probe cycles finish
    active.push_back(stale("dev" + std::to_string(i)));
    Decision dec = d.step(active);
    emails += dec.notices.empty() ? 0 : 1;
    d.clock_.advance(std::chrono::seconds(30));
  }
  for (int i = 0; i < 20; ++i, d.clock_.advance(minutes(1))) {
    Decision dec = d.step(active);
    if (!dec.notices.empty()) {
      ++emails;
      listed = dec.notices.size();
    }
  }
  EXPECT_EQ(emails, 1);
  EXPECT_EQ(listed, 10u);
}

TEST(PolicyTest, DailyRemindsEveryDay) {
  PolicyDriver d(policy(RepeatPolicy::Daily, Duration{0}));
  auto at = d.run({stale("A")}, hours(24 * 4 + 1), hours(1));
  EXPECT_EQ(at, (std::vector<double>{0, 24, 48, 72, 96}));
}

TEST(PolicyTest, DiminishingDoublesTheInterval) {
  PolicyDriver d(policy(RepeatPolicy::Diminishing, Duration{0}));
  auto at = d.run({stale("A")}, hours(24 * 16 + 1), hours(1));
  EXPECT_EQ(at, (std::vector<double>{0, 24, 72, 168, 360}));  // +1d, +2d, +4d, +8d
}

TEST(PolicyTest, ReminderIntervals) {
  EXPECT_FALSE(reminderInterval(RepeatPolicy::Once, 1));
  EXPECT_EQ(*reminderInterval(RepeatPolicy::Daily, 5), hours(24));
  EXPECT_EQ(*reminderInterval(RepeatPolicy::Diminishing, 1), hours(24));
  EXPECT_EQ(*reminderInterval(RepeatPolicy::Diminishing, 4), hours(24 * 8));
  EXPECT_EQ(*reminderInterval(RepeatPolicy::Diminishing, 1000), hours(24 * 65536));  // no overflow
}

TEST(PolicyTest, ResolutionMailedAfterAnnouncedAlertClears) {
  PolicyDriver d(policy(RepeatPolicy::Daily, Duration{0}));
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  d.clock_.advance(hours(2));
  Decision dec = d.step({});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].kind, NoticeKind::Resolved);
  d.clock_.advance(hours(1));
  EXPECT_TRUE(d.step({}).notices.empty());  // told once
  EXPECT_TRUE(d.state_.empty());            // and forgotten after the retention
}

TEST(PolicyTest, NoResolutionMailWhenDisabled) {
  AlertPolicy p = policy(RepeatPolicy::Daily, Duration{0});
  p.notifyResolved = false;
  PolicyDriver d(p);
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  d.clock_.advance(minutes(1));
  EXPECT_TRUE(d.step({}).notices.empty());
  ASSERT_EQ(d.state_.size(), 1u);  // still kept for Alertmanager's endsAt
  EXPECT_TRUE(d.state_[0].resolvedAt);
}

TEST(PolicyTest, FlapInsideTheWindowSendsNothing) {
  PolicyDriver d(policy(RepeatPolicy::Daily));
  d.step({stale("A")});
  d.clock_.advance(minutes(3));
  d.step({});
  EXPECT_EQ(d.run({}, hours(2), minutes(1)).size(), 0u);
}

TEST(PolicyTest, RecoveryResetsSoTheNextFailureAlertsAgain) {
  PolicyDriver d(policy(RepeatPolicy::Once, Duration{0}));
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  d.clock_.advance(hours(1));
  ASSERT_EQ(d.step({}).notices.size(), 1u);
  d.clock_.advance(hours(1));
  Decision dec = d.step({stale("A")});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].kind, NoticeKind::Opened);
}

TEST(PolicyTest, RestartFromPersistedStateDoesNotResend) {
  PolicyDriver d(policy(RepeatPolicy::Daily, Duration{0}));
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  PolicyDriver restarted(policy(RepeatPolicy::Daily, Duration{0}));
  restarted.state_ = d.state_;
  restarted.clock_.set(d.clock_.now() + minutes(5));
  EXPECT_TRUE(restarted.step({stale("A")}).notices.empty());
}

TEST(PolicyTest, AcknowledgedAlertStaysQuietButIsListed) {
  PolicyDriver d(policy(RepeatPolicy::Daily, Duration{0}));
  ASSERT_EQ(d.step({stale("A"), stale("B")}).notices.size(), 2u);
  d.acks_.push_back(AlertAck{"A", "", std::nullopt, d.clock_.now(), "known broken"});
  d.clock_.advance(hours(24));
  Decision dec = d.step({stale("A"), stale("B")});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].key.udid, "B");
  ASSERT_EQ(dec.acknowledged.size(), 1u);
  EXPECT_EQ(dec.acknowledged[0].udid, "A");
}

TEST(PolicyTest, AckOfOneConditionLeavesOthersAlerting) {
  PolicyDriver d(policy(RepeatPolicy::Once, Duration{0}));
  d.acks_.push_back(AlertAck{"A", kBackupStaleCondition, std::nullopt, d.clock_.now(), ""});
  ActiveAlert trust{AlertKey{"A", "trust_denied"}, Severity::Critical, {}};
  Decision dec = d.step({stale("A"), trust});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].key.condition, "trust_denied");
}

TEST(PolicyTest, SnoozeExpiryRemindsOnce) {
  PolicyDriver d(policy(RepeatPolicy::Once, Duration{0}));
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  d.acks_.push_back(AlertAck{"A", "", d.clock_.now() + hours(48), d.clock_.now(), ""});
  auto at = d.run({stale("A")}, hours(24 * 5), hours(1));
  EXPECT_EQ(at, (std::vector<double>{48}));
}

TEST(PolicyTest, EscalationToCriticalRemindsNow) {
  PolicyDriver d(policy(RepeatPolicy::Once, Duration{0}));
  ASSERT_EQ(d.step({stale("A")}).notices.size(), 1u);
  d.clock_.advance(hours(1));
  ActiveAlert critical = stale("A");
  critical.severity = Severity::Critical;
  Decision dec = d.step({critical});
  ASSERT_EQ(dec.notices.size(), 1u);
  EXPECT_EQ(dec.notices[0].kind, NoticeKind::Reminder);
  EXPECT_EQ(dec.notices[0].severity, Severity::Critical);
}

TEST(PolicyTest, ActiveAlertsOfFleet) {
  FleetView v;
  DeviceStatus a;
  a.udid = "A";
  a.backupState = BackupState::Stale;
  a.conditions.push_back(Condition{"not_on_power", Severity::Warning});
  DeviceStatus b;
  b.udid = "B";
  b.backupState = BackupState::Ok;
  b.conditions.push_back(Condition{"trust_denied", Severity::Critical});
  DeviceStatus c;
  c.udid = "C";
  c.backupState = BackupState::Stale;
  c.conditions.push_back(Condition{kBackupStaleCondition, Severity::Critical});
  v.devices = {a, b, c};
  auto act = activeAlertsOf(v);
  ASSERT_EQ(act.size(), 3u);
  EXPECT_EQ(act[0].key, (AlertKey{"A", kBackupStaleCondition}));
  EXPECT_EQ(act[1].key, (AlertKey{"B", "trust_denied"}));
  EXPECT_EQ(act[2].key, (AlertKey{"C", kBackupStaleCondition}));
  EXPECT_EQ(act[2].severity, Severity::Critical);
}

}  // namespace
}  // namespace ibackupmon

namespace ibackupmon {
namespace {

TEST(PolicyTest, AFailedRemediationIsAlertedThoughAWarning) {
  FleetView v;
  DeviceStatus d;
  d.udid = "R";
  d.backupState = BackupState::Ok;
  d.conditions.push_back(Condition{kRemediationFailedCondition, Severity::Warning});
  d.conditions.push_back(Condition{"not_on_power", Severity::Warning});
  v.devices = {d};
  auto active = activeAlertsOf(v);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].key, (AlertKey{"R", kRemediationFailedCondition}));
  EXPECT_EQ(active[0].severity, Severity::Warning);
}

TEST(PolicyTest, WedgedUsbmuxdIsOneCriticalHostAlert) {
  FleetView view;
  EXPECT_TRUE(activeAlertsOf(view).empty());
  view.usbmuxdWedgedSince = fromUnixSeconds(1'700'000'000);
  auto active = activeAlertsOf(view);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].key.udid, "") << "host alerts carry no udid";
  EXPECT_EQ(active[0].key.condition, kUsbmuxdWedgedCondition);
  EXPECT_EQ(active[0].severity, Severity::Critical);
  EXPECT_EQ(active[0].since, *view.usbmuxdWedgedSince);
}

}  // namespace
}  // namespace ibackupmon

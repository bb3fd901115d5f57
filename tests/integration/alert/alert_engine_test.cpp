// SPDX-License-Identifier: Apache-2.0
// The alert engine against real parts: a SQLite file, an aiosmtpd server on loopback, real
// timers. Fleet views are built by hand here; the daemon + simulator path is in tests/system/alert.
#include "app/alert_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "smtp_sink.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using testing::waitFor;
using namespace std::chrono_literals;

// Moved by the test thread, read by the engine's thread.
class SharedFakeClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint{} + std::chrono::seconds(secs_.load()); }
  void advance(std::chrono::seconds d) { secs_ += d.count(); }
  void set(std::int64_t unixSeconds) { secs_ = unixSeconds; }

 private:
  std::atomic<long long> secs_{1'800'000'000};
};

class CountingMetrics final : public AlertMetrics {
 public:
  void alertSent(std::string_view c) override { (c == "email" ? sent : posted)++; }
  void alertFailed(std::string_view) override { ++failed; }
  void setOutboxDepth(std::size_t d) override { depth = static_cast<int>(d); }
  void setAppleServiceActiveEvents(std::string_view, std::size_t) override {}
  void feedSucceeded(std::string_view, TimePoint) override {}
  void feedFailed(std::string_view) override {}
  std::atomic<int> sent{0}, posted{0}, failed{0}, depth{-1};
};

// Sends for real, then hangs until released: the daemon "dies" after the server has the mail
// and before the outbox records it.
class DyingMailer final : public Mailer {
 public:
  explicit DyingMailer(Mailer& real) : real_(real) {}
  Expected<void> send(const std::string& m) override {
    auto r = real_.send(m);
    released_.get_future().wait();
    return makeError("killed", "process killed before commit");
  }
  void release() { released_.set_value(); }

 private:
  Mailer& real_;
  std::promise<void> released_;
};

DeviceStatus device(int i, BackupState state) {
  DeviceStatus d;
  d.udid = "00008030-00000000000000" + std::to_string(10 + i);
  d.name = "Cart iPad " + std::to_string(i);
  d.productType = "iPad13,1";
  d.serial = "SERIAL" + std::to_string(i);
  d.connected = true;
  d.backupState = state;
  if (state == BackupState::Stale) {
    Condition c;
    c.id = "backup_stale";
    c.summary = "No iCloud backup within 36h";
    c.fix = "Join Wi-Fi, connect power, lock the device.";
    c.evidence["last_icloud_backup"] = "2026-11-01T00:00:00Z";
    d.conditions.push_back(c);
  }
  return d;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sink_.start());
    config_.repeat = RepeatPolicy::Daily;
    config_.groupWindow = 0s;
    config_.hostName = "cart-host";
    config_.email.smtpUrl = sink_.url();
    config_.email.to = {"admins@example.org"};
    config_.email.timeout = 5s;
  }
  void TearDown() override {
    stopLoop();  // the engine is destroyed only when no handler of it can run any more
    engine_.reset();
    retired_.clear();
  }
  // A daemon restart on the same loop: the engine stops and is kept (with its repository) until
  // the loop has stopped; a new one starts on the same database.
  void restartEngine() {
    engine_->stop();
    barrier();
    barrier();  // the stopped timers' handlers have run
    retired_.push_back(std::move(engine_));
    retiredRepos_.push_back(std::move(repo_));
    startEngine();
  }
  void stopLoop() {
    if (!io_thread_.joinable()) return;
    if (engine_) engine_->stop();
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  void startEngine(Mailer* mailerOverride = nullptr) {
    auto repo = AlertRepository::open(dir_.file("ibackupmon.db"));
    ASSERT_TRUE(repo) << repo.error().message;
    repo_ = std::make_unique<AlertRepository>(std::move(*repo));
    auto mailer = SmtpMailer::create(config_.email);
    ASSERT_TRUE(mailer) << mailer.error().message;
    mailer_ = std::move(*mailer);
    AlertEngineOptions o;
    o.alerts = config_;
    o.host = "cart-host";
    o.retryInitial = 1s;
    o.retryMax = 1s;
    o.digest = actions_ != nullptr;
    engine_ = std::make_unique<AlertEngine>(io_, clock_, *repo_,
                                            mailerOverride ? mailerOverride : mailer_.get(),
                                            nullptr, metrics_, o, actions_.get());
    ASSERT_TRUE(engine_->start());
    if (!io_thread_.joinable()) io_thread_ = std::thread([this] { io_.run(); });
  }

  void push(std::vector<DeviceStatus> devices) {
    FleetView v;
    v.devices = std::move(devices);
    v.at = clock_.now();
    engine_->onFleetStatus(v);
    barrier();
  }
  // Returns once everything posted to the engine's strand before has run.
  void barrier() {
    std::promise<void> done;
    engine_->handleControl("{\"command\":\"acks\"}", [&](std::string) { done.set_value(); });
    done.get_future().wait();
  }
  int outboxRows() {
    auto repo = AlertRepository::open(dir_.file("ibackupmon.db"));
    auto due = repo->due(clock_.now() + std::chrono::hours(1000), 1000);
    return static_cast<int>(due->size());
  }
  bool quiet() { return metrics_.depth == 0; }

  testing::TempDir dir_;
  testing::SmtpSink sink_{dir_.path() / "mail"};
  AlertsConfig config_;
  SharedFakeClock clock_;
  CountingMetrics metrics_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::thread io_thread_;
  std::unique_ptr<AlertRepository> repo_;
  std::unique_ptr<ActionRepository> actions_;  ///< set before startEngine: notes and the digest
  std::unique_ptr<SmtpMailer> mailer_;
  std::unique_ptr<AlertEngine> engine_;
  std::vector<std::unique_ptr<AlertRepository>> retiredRepos_;
  std::vector<std::unique_ptr<AlertEngine>> retired_;
};

TEST_F(AlertEngineTest, ExactlyOneEmailWhenADeviceGoesStale) {
  startEngine();
  push({device(1, BackupState::Ok)});
  for (int i = 0; i < 5; ++i) {
    push({device(1, BackupState::Stale)});
    clock_.advance(60s);
  }
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1 && quiet(); }));
  push({device(1, BackupState::Stale)});
  EXPECT_TRUE(quiet());
  auto mail = sink_.messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(mail[0].find("Cart iPad 1"), std::string::npos);
  EXPECT_NE(testing::headerOf(mail[0], "Subject").find("backup_stale"), std::string::npos);
  EXPECT_EQ(metrics_.sent, 1);
}

// A reload's new SMTP settings (AlertsComponent::applyConfig) reach the next message.
TEST_F(AlertEngineTest, ReplacedMailerSendsTheNextMessage) {
  testing::SmtpSink second{dir_.path() / "mail2"};
  ASSERT_TRUE(second.start());
  startEngine();
  push({device(1, BackupState::Stale), device(2, BackupState::Ok)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1 && quiet(); }));
  EmailConfig moved = config_.email;
  moved.smtpUrl = second.url();
  auto mailer = SmtpMailer::create(moved);
  ASSERT_TRUE(mailer) << mailer.error().message;
  engine_->replaceChannels(std::shared_ptr<Mailer>(std::move(*mailer)), nullptr);
  push({device(1, BackupState::Stale), device(2, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return second.messages().size() == 1 && quiet(); }));
  EXPECT_NE(second.messages()[0].find("Cart iPad 2"), std::string::npos);
  EXPECT_EQ(sink_.messages().size(), 1u);
  // Email switched off by a reload: the alert is decided and recorded, nothing is queued.
  engine_->replaceChannels(nullptr, nullptr);
  push({device(1, BackupState::Stale), device(2, BackupState::Stale),
        device(3, BackupState::Stale)});
  EXPECT_TRUE(quiet());
  EXPECT_EQ(second.messages().size(), 1u);
}

TEST_F(AlertEngineTest, TenDevicesGoingStaleTogetherShareOneEmail) {
  config_.groupWindow = 600s;
  startEngine();
  std::vector<DeviceStatus> fleet;
  for (int i = 0; i < 10; ++i) fleet.push_back(device(i, BackupState::Ok));
  push(fleet);
  for (int i = 0; i < 10; ++i) {  // probe cycles finish one after another
    fleet[i] = device(i, BackupState::Stale);
    push(fleet);
    clock_.advance(20s);
  }
  // Still inside the window: nothing queued (a mail sent too early might not have arrived yet).
  EXPECT_TRUE(quiet());
  EXPECT_TRUE(sink_.messages().empty());
  clock_.advance(600s);
  push(fleet);
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1 && quiet(); }));
  std::string mail = sink_.messages()[0];
  for (int i = 0; i < 10; ++i) {
    EXPECT_NE(mail.find("SERIAL" + std::to_string(i)), std::string::npos) << i;
  }
  EXPECT_NE(mail.find("10 devices: 10 new"), std::string::npos);
}

TEST_F(AlertEngineTest, DailyReminderThenResolutionMail) {
  startEngine();
  push({device(1, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1 && quiet(); }));
  clock_.advance(std::chrono::hours(23));
  push({device(1, BackupState::Stale)});
  EXPECT_TRUE(quiet());
  clock_.advance(std::chrono::hours(1));
  push({device(1, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 2 && quiet(); }));
  EXPECT_NE(testing::headerOf(sink_.messages()[1], "Subject").find("reminder:"), std::string::npos);
  clock_.advance(std::chrono::hours(2));
  push({device(1, BackupState::Ok)});  // the backup completed
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 3 && quiet(); }));
  EXPECT_NE(testing::headerOf(sink_.messages()[2], "Subject").find("resolved:"), std::string::npos);
}

TEST_F(AlertEngineTest, SmtpServerDownThenUpDeliversOnce) {
  int port = sink_.port();
  sink_.stop();
  startEngine();
  push({device(1, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] {  // retried while down, on the fake clock's backoff
    clock_.advance(1s);
    return metrics_.failed >= 2;
  }));
  EXPECT_EQ(metrics_.depth, 1);
  ASSERT_TRUE(sink_.start(port));
  // Retries are scheduled on the fake clock: move it past the backoff and nudge the engine.
  ASSERT_TRUE(waitFor([&] {
    clock_.advance(1s);
    push({device(1, BackupState::Stale)});
    return sink_.messages().size() == 1 && quiet();
  }));
  clock_.advance(60s);
  push({device(1, BackupState::Stale)});
  // A second email would be in the outbox by now (push() waits for the engine's decision); its
  // delivery would come later, so the sink's count alone could not show it.
  EXPECT_TRUE(quiet()) << "a second email was queued";
  EXPECT_EQ(sink_.messages().size(), 1u);
  EXPECT_EQ(metrics_.sent, 1);
}

TEST_F(AlertEngineTest, CrashAfterSendingResendsWithTheSameMessageId) {
  auto real = SmtpMailer::create(config_.email);
  ASSERT_TRUE(real);
  DyingMailer dying(**real);
  startEngine(&dying);
  push({device(1, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1; }));
  // "Restart": a second daemon on the same database while the first never recorded the send.
  auto first = std::move(engine_);
  auto firstRepo = std::move(repo_);
  boost::asio::io_context io2;
  auto guard = boost::asio::make_work_guard(io2);
  std::thread t2([&] { io2.run(); });
  auto repo2 = AlertRepository::open(dir_.file("ibackupmon.db"));
  ASSERT_TRUE(repo2);
  AlertEngineOptions o;
  o.alerts = config_;
  o.host = "cart-host";
  CountingMetrics m2;
  // Outlives io2's thread: stop() only queues work on the engine's strand.
  auto second = std::make_unique<AlertEngine>(io2, clock_, *repo2, real->get(), nullptr, m2, o);
  ASSERT_TRUE(second->start());
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 2 && m2.depth == 0; }));
  second->stop();
  dying.release();  // the first process's send "returns" only now: its record is gone with it
  ASSERT_TRUE(waitFor([&] { return metrics_.failed == 1; }));
  first->stop();
  stopLoop();
  first.reset();
  guard.reset();
  io2.stop();
  t2.join();
  second.reset();
  auto mail = sink_.messages();
  ASSERT_EQ(mail.size(), 2u);  // at most one duplicate...
  EXPECT_EQ(testing::headerOf(mail[0], "Message-ID"), testing::headerOf(mail[1], "Message-ID"));
  EXPECT_FALSE(testing::headerOf(mail[0], "Message-ID").empty());  // ...carrying the same id
  EXPECT_EQ(outboxRows(), 0);
}

TEST_F(AlertEngineTest, AcknowledgedDeviceIsListedNotRealerted) {
  startEngine();
  push({device(1, BackupState::Stale), device(2, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 1 && quiet(); }));
  std::promise<std::string> reply;
  engine_->handleControl("{\"command\":\"ack\",\"udid\":\"" + device(1, BackupState::Stale).udid +
                             "\",\"comment\":\"in repair\"}",
                         [&](std::string r) { reply.set_value(r); });
  EXPECT_NE(reply.get_future().get().find("\"ok\":true"), std::string::npos);
  clock_.advance(std::chrono::hours(24));
  push({device(1, BackupState::Stale), device(2, BackupState::Stale)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 2 && quiet(); }));
  std::string reminder = sink_.messages()[1];
  EXPECT_NE(reminder.find("Acknowledged (not re-alerting)"), std::string::npos);
  EXPECT_NE(reminder.find("in repair"), std::string::npos);
  EXPECT_NE(testing::headerOf(reminder, "Subject").find("Cart iPad 2"), std::string::npos);
}

TEST_F(AlertEngineTest, ControlRejectsBadRequests) {
  startEngine();
  auto ask = [&](const std::string& line) {
    std::promise<std::string> reply;
    engine_->handleControl(line, [&](std::string r) { reply.set_value(r); });
    return reply.get_future().get();
  };
  EXPECT_NE(ask("not json").find("expected one JSON object"), std::string::npos);
  EXPECT_NE(ask("{\"command\":\"ack\"}").find("udid: expected"), std::string::npos);
  EXPECT_NE(ask("{\"command\":\"ack\",\"udid\":\"A\",\"until\":\"tomorrow\"}").find("until:"),
            std::string::npos);
  EXPECT_NE(ask("{\"command\":\"ack\",\"udid\":\"A\",\"until\":\"2001-01-01T00:00:00Z\"}")
                .find("in the past"),
            std::string::npos);
  EXPECT_NE(ask("{\"command\":\"ack\",\"udid\":\"A\",\"until\":\"2030-02-31T00:00:00Z\"}")
                .find("until: 2030-02-31 is not a date (February 2030 has 28 days)"),
            std::string::npos);
  // An offset is converted: the acknowledgement runs until that moment in UTC.
  EXPECT_NE(ask("{\"command\":\"ack\",\"udid\":\"B\",\"until\":\"2030-01-01T02:00:00+02:00\"}")
                .find("\"until\":\"2030-01-01T00:00:00Z\""),
            std::string::npos);
  EXPECT_NE(ask("{\"command\":\"reboot\"}").find("expected ack, unack or acks"), std::string::npos);
  EXPECT_NE(ask("{\"command\":\"ack\",\"udid\":\"A\",\"condition\":\"backup_stale\"}")
                .find("\"ok\":true"),
            std::string::npos);
  EXPECT_NE(ask("{\"command\":\"acks\"}").find("backup_stale"), std::string::npos);
  EXPECT_NE(ask("{\"command\":\"unack\",\"udid\":\"A\"}").find("\"removed\":1"), std::string::npos);
}

// The last action on a device is a note in its alert mail; the daily digest goes out at 07:00
// local time with what was done, and a restarted daemon does not send it again.
TEST_F(AlertEngineTest, DigestAtSevenAndTheLastActionInTheAlertMail) {
  ASSERT_EQ(setenv("TZ", "UTC", 1), 0);
  tzset();
  const std::int64_t sevenUtc = 1'800'000'000 + 23 * 3600;  // 2027-01-16T07:00:00Z
  clock_.set(sevenUtc - 2);
  auto actions = ActionRepository::open(dir_.file("ibackupmon.db"));
  ASSERT_TRUE(actions) << actions.error().message;
  actions_ = std::make_unique<ActionRepository>(std::move(*actions));
  const TimePoint t0 = TimePoint{} + std::chrono::seconds(sevenUtc - 3 * 3600);
  ActionRecord enable;
  enable.udid = device(2, BackupState::Ok).udid;
  enable.action = RemediationAction::EnableIcloudBackup;
  enable.requestedAt = t0;
  enable.result = ActionResult::Done;
  enable.outcome = action_outcome::kVerified;
  ASSERT_TRUE(actions_->request(enable));
  ActionRecord restart;
  restart.udid = device(1, BackupState::Ok).udid;
  restart.action = RemediationAction::Restart;
  restart.requestedAt = t0 + std::chrono::minutes(10);
  restart.result = ActionResult::Failed;
  restart.outcome = action_outcome::kDidNotComeBack;
  ASSERT_TRUE(actions_->request(restart));
  ActionRecord skip = restart;
  skip.udid = device(3, BackupState::Ok).udid;
  skip.result = ActionResult::Skipped;
  skip.reason = "passcode";
  skip.outcome.clear();
  ASSERT_TRUE(actions_->request(skip));

  startEngine();
  push({device(1, BackupState::Stale), device(2, BackupState::Ok)});
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 2 && quiet(); }));
  const auto mail = sink_.messages();
  const std::string& alert =
      testing::headerOf(mail[0], "Subject").find("backup_stale") != std::string::npos ? mail[0]
                                                                                      : mail[1];
  const std::string& digest = &alert == &mail[0] ? mail[1] : mail[0];
  EXPECT_NE(testing::decodedText(alert).find(
                "Notes: ibackupmond tried to restart the device at 04:10 UTC on 2027-01-16, which "
                "failed, it did not come back"),
            std::string::npos)
      << testing::decodedText(alert);
  EXPECT_NE(testing::headerOf(digest, "Subject").find("what ibackupmon did, 2 actions, 1 skipped"),
            std::string::npos);
  const std::string text = testing::decodedText(digest);
  EXPECT_NE(text.find("from 07:00 UTC on 2027-01-15 to 07:00 UTC on 2027-01-16"), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("Cart iPad 2 (" + enable.udid +
                "): ibackupmond turned iCloud Backup on at 04:00 UTC on 2027-01-16, verified"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("restart: 1 x the device has or may have a passcode"), std::string::npos);
  EXPECT_NE(text.find("enable_icloud_backup: 1 done"), std::string::npos);

  // A daemon restart after the hour: the digest is not sent again.
  clock_.set(sevenUtc + 3600);
  restartEngine();
  barrier();
  EXPECT_TRUE(quiet());
  EXPECT_EQ(sink_.messages().size(), 2u);
  // A new action, and the next day at 07:00 there is a digest with it alone.
  enable.requestedAt = clock_.now();
  enable.udid = device(4, BackupState::Ok).udid;
  ASSERT_TRUE(actions_->request(enable));
  clock_.set(sevenUtc + 24 * 3600 - 1);
  engine_->applyOptions([&] {
    AlertEngineOptions o;
    o.alerts = config_;
    o.host = "cart-host";
    o.digest = true;
    return o;
  }());
  ASSERT_TRUE(waitFor([&] { return sink_.messages().size() == 3 && quiet(); }));
  EXPECT_NE(testing::headerOf(sink_.messages()[2], "Subject").find("1 action"), std::string::npos);
  EXPECT_EQ(testing::decodedText(sink_.messages()[2]).find(device(1, BackupState::Ok).udid),
            std::string::npos);
}

}  // namespace
}  // namespace ibackupmon

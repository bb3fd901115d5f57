// SPDX-License-Identifier: Apache-2.0
// The real build/bin/ibackupmonctl against Application's real control socket and dispatcher, with
// a component whose ack answers as the UDID says: every exit code of the daemon-talking commands.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "app/application.h"
#include "app/notifier.h"
#include "support/child_process.h"
#include "support/null_notifier.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using nlohmann::json;
using testing::ProcessResult;

const std::string kCtl = std::string(IBACKUPMON_BIN_DIR) + "/ibackupmonctl";

using testing::NullNotifier;

// The reply to an ack of "HANG", held and never sent while the daemon runs.
struct HeldReply {
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<ControlReply> reply;
};
HeldReply& held() {
  static HeldReply h;
  return h;
}

// Serves ack and acks (not unack): ack's reply follows its UDID, acks lists the peer's uid.
class ScriptedAlerts final : public Component {
 public:
  explicit ScriptedAlerts(AppContext& ctx) : ctx_(ctx) {}
  std::string_view name() const override { return "alerts"; }
  Expected<void> start() override {
    if (auto ok = ctx_.commands->add("ack", ControlAccess::AnyPeer, ack); !ok) return ok;
    return ctx_.commands->add(
        "acks", ControlAccess::AnyPeer, [](ControlRequest r, ControlReply reply) {
          std::thread([r, reply] {  // replies from another thread, later
            reply(json{{"ok", true},
                       {"acks", json::array({{{"udid", "uid-" + std::to_string(*r.peer.uid)},
                                              {"condition", nullptr},
                                              {"until", nullptr},
                                              {"comment", ""}}})}}
                      .dump());
          })
              .detach();
        });
  }
  void applyConfig(const Config&) override {}
  void stop() override {}

 private:
  static void ack(ControlRequest r, ControlReply reply) {
    const std::string udid = json::parse(r.line).value("udid", "");
    if (udid == "HANG") {
      std::lock_guard lock(held().mutex);
      held().reply = std::move(reply);
      held().arrived.notify_all();
      return;
    }
    if (udid == "GONE") return reply(controlError("no_such_device", "no device GONE"));
    if (udid == "REFUSE") return reply(controlError("refused", "ack: device is being restored"));
    if (udid == "BAD") return reply(controlError("bad_arguments", "until: in the past"));
    if (udid == "FAIL") return reply(controlError("failed", "database is locked"));
    if (udid == "NOCODE") return reply(R"({"ok":false,"error":"too many connections"})");
    if (udid == "NEWCODE") return reply(controlError("rate_limited", "slow down"));
    reply(json{{"ok", true},
               {"ack",
                {{"udid", udid},
                 {"condition", nullptr},
                 {"until", json::parse(r.line).value("until", json())},  // as ibackupmonctl sent it
                 {"comment", ""}}},
               {"known_device", true}}
              .dump());
  }
  AppContext& ctx_;
};

class CtlDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config c;
    c.alerts.controlSocket = socket_;
    app_ = std::make_unique<Application>(io_, notifier_, c,
                                         std::vector<ComponentFactory>{[](AppContext& ctx) {
                                           return std::make_unique<ScriptedAlerts>(ctx);
                                         }},
                                         ControlSocket::On);
    ASSERT_TRUE(app_->start());
    loop_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    boost::asio::post(io_, [this] {
      app_->stop();
      guard_.reset();
    });
    loop_.join();
  }
  ProcessResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), kCtl);
    args.push_back("--socket=" + socket_);
    return testing::runProcess(args);
  }
  testing::TempDir dir_;
  std::string socket_ = dir_.file("control.sock");
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(io_);
  NullNotifier notifier_;
  std::unique_ptr<Application> app_;
  std::thread loop_;
};

TEST_F(CtlDaemonTest, DoneIsZero) {
  auto r = ctl({"ack", "00008030-AAAA"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "Acknowledged 00008030-AAAA (all conditions)\n");
  auto acks = ctl({"acks"});
  EXPECT_EQ(acks.exitCode, 0) << acks.err;
  EXPECT_NE(acks.out.find("uid-" + std::to_string(::getuid())), std::string::npos) << acks.out;
}

TEST_F(CtlDaemonTest, UntilWithAnOffsetIsSentInUtc) {
  auto r = ctl({"ack", "00008030-AAAA", "--until", "2030-01-01T02:00:00+02:00"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "Acknowledged 00008030-AAAA (all conditions) until 2030-01-01T00:00:00Z\n");
}

TEST_F(CtlDaemonTest, EachRefusalHasItsOwnCodeAndTheDaemonsReason) {
  struct Case {
    std::string udid;
    int exitCode;
    std::string message;
  };
  for (const auto& c : std::vector<Case>{{"GONE", 1, "no device GONE"},
                                         {"BAD", 64, "until: in the past"},
                                         {"FAIL", 75, "database is locked"},
                                         {"REFUSE", 77, "ack: device is being restored"},
                                         {"NOCODE", 77, "too many connections"},
                                         {"NEWCODE", 77, "slow down"}}) {
    auto r = ctl({"ack", c.udid});
    EXPECT_EQ(r.exitCode, c.exitCode) << c.udid << ": " << r.err;
    EXPECT_EQ(r.err, "ibackupmonctl: " + c.message + "\n") << c.udid;
    EXPECT_EQ(r.out, "") << c.udid;
  }
}

// A daemon that stops while a request is under way (an act waiting for its device) answers it
// "stopping" before closing: 75, with the daemon's words, not a bare "no reply" (74).
TEST_F(CtlDaemonTest, ARequestUnderWayWhenTheDaemonStopsIsAnswered75) {
  ProcessResult r;
  std::thread client([&] { r = ctl({"ack", "HANG"}); });
  bool arrived = false;
  {
    std::unique_lock lock(held().mutex);
    arrived = held().arrived.wait_for(lock, std::chrono::seconds(10),
                                      [] { return held().reply.has_value(); });
  }
  boost::asio::post(io_, [this] { app_->stop(); });
  client.join();
  ASSERT_TRUE(arrived) << "the request never reached the handler: " << r.err;
  EXPECT_EQ(r.exitCode, 75) << r.err;
  EXPECT_EQ(r.err.rfind("ibackupmonctl: ibackupmond stopped before it answered; ", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
  // The handler's late reply, after the stop, goes nowhere and harms nothing.
  ControlReply late;
  {
    std::lock_guard lock(held().mutex);
    late = std::move(*held().reply);
    held().reply.reset();
  }
  late(json{{"ok", true}}.dump());
}

TEST_F(CtlDaemonTest, CommandTheDaemonDoesNotServeIsRefusedListingWhatItServes) {
  auto r = ctl({"unack", "00008030-AAAA"});
  EXPECT_EQ(r.exitCode, 77) << r.err;
  EXPECT_EQ(r.err, "ibackupmonctl: command: expected ack or acks, found \"unack\"\n");
}

TEST_F(CtlDaemonTest, BadArgumentsAre64WithoutAskingTheDaemon) {
  EXPECT_EQ(ctl({"ack"}).exitCode, 64);
  EXPECT_EQ(ctl({"ack", "A", "B", "C"}).exitCode, 64);
  EXPECT_EQ(ctl({"ack", "A", "--until", "someday"}).exitCode, 64);
  // A date that does not exist is refused here, saying why.
  auto impossible = ctl({"ack", "00008030-AAAA", "--until", "2025-02-31T00:00:00Z"});
  EXPECT_EQ(impossible.exitCode, 64);
  EXPECT_EQ(impossible.err,
            "ibackupmonctl: --until: 2025-02-31 is not a date (February 2025 has 28 days), found "
            "'2025-02-31T00:00:00Z'; try --help\n");
  EXPECT_EQ(impossible.out, "");
  EXPECT_EQ(ctl({"acks", "extra"}).exitCode, 64);
}

TEST_F(CtlDaemonTest, DaemonNotReachableIs74) {
  for (const std::string cmd : {"ack", "unack", "acks"}) {
    std::vector<std::string> args{kCtl, cmd, "--socket=" + dir_.file("absent.sock")};
    if (cmd != "acks") args.insert(args.begin() + 2, "00008030-AAAA");
    auto r = testing::runProcess(args);
    EXPECT_EQ(r.exitCode, 74) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("cannot reach ibackupmond at " + dir_.file("absent.sock")),
              std::string::npos)
        << r.err;
  }
}

TEST_F(CtlDaemonTest, UnreadableConfigIs78) {
  auto r = testing::runProcess({kCtl, "acks", "--config", dir_.file("absent.toml")});
  EXPECT_EQ(r.exitCode, 78) << r.err;
}

}  // namespace
}  // namespace ibackupmon

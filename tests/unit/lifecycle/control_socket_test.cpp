// SPDX-License-Identifier: Apache-2.0
// Application's control socket: components register commands through AppContext::commands and
// the socket serves them with the peer's uid; a path held by a file stops startup early.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/application.h"
#include "app/notifier.h"
#include "core/line_client.h"
#include "support/null_notifier.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

using testing::NullNotifier;

// Registers one command in start(); "whoami" answers with the peer's uid.
class CommandComponent final : public Component {
 public:
  CommandComponent(AppContext& ctx, std::string command, int& started)
      : ctx_(ctx), command_(std::move(command)), started_(started) {}
  std::string_view name() const override { return command_; }
  Expected<void> start() override {
    ++started_;
    return ctx_.commands->add(
        command_, ControlAccess::AnyPeer, [](ControlRequest req, ControlReply reply) {
          reply(json{{"ok", true}, {"uid", req.peer.uid ? json(*req.peer.uid) : json()}}.dump());
        });
  }
  void applyConfig(const Config&) override {}
  void stop() override {}

 private:
  AppContext& ctx_;
  std::string command_;
  int& started_;
};

ComponentFactory serving(const std::string& command, int& started) {
  return [command, &started](AppContext& ctx) {
    return std::make_unique<CommandComponent>(ctx, command, started);
  };
}

// One request line over a fresh connection; the reply line, or why there is none.
std::string exchange(const std::string& path, const std::string& line) {
  auto reply = exchangeLine(path, line, std::chrono::seconds(10));
  return reply ? *reply : reply.error().code + ": " + reply.error().message;
}

class ControlSocketTest : public ::testing::Test {
 protected:
  Config config() {
    Config c;
    c.alerts.controlSocket = dir_.file("control.sock");
    return c;
  }
  testing::TempDir dir_;
  boost::asio::io_context io_;
  NullNotifier notifier_;
  int started_ = 0;
};

TEST_F(ControlSocketTest, ServesTheCommandsComponentsRegisterWithThePeersUid) {
  Application app(io_, notifier_, config(), {serving("whoami", started_)}, ControlSocket::On);
  ASSERT_TRUE(app.start());
  EXPECT_EQ(app.commands().commands(), (std::vector<std::string>{"whoami"}));
  auto guard = boost::asio::make_work_guard(io_);
  std::thread loop([&] { io_.run(); });
  json who = json::parse(exchange(dir_.file("control.sock"), R"({"command":"whoami"})"));
  json unknown = json::parse(exchange(dir_.file("control.sock"), R"({"command":"act"})"));
  boost::asio::post(io_, [&] {
    app.stop();
    guard.reset();
  });
  loop.join();
  EXPECT_EQ(who, (json{{"ok", true}, {"uid", ::getuid()}}));
  EXPECT_EQ(unknown["code"], "unknown_command");
  EXPECT_EQ(unknown["commands"], (json{"whoami"}));
  EXPECT_FALSE(std::filesystem::exists(dir_.file("control.sock")));
}

TEST_F(ControlSocketTest, PathHoldingAFileFailsStartupBeforeAnyComponent) {
  std::ofstream(dir_.file("control.sock")) << "not a socket\n";
  Application app(io_, notifier_, config(), {serving("whoami", started_)}, ControlSocket::On);
  auto started = app.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "control_socket_taken");
  EXPECT_EQ(started.error().message.rfind("control: alerts.control_socket ", 0), 0u)
      << started.error().message;
  EXPECT_EQ(started_, 0);
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.file("control.sock")));
}

TEST_F(ControlSocketTest, ACommandServedByTwoComponentsFailsStartup) {
  Application app(io_, notifier_, config(), {serving("ack", started_), serving("ack", started_)},
                  ControlSocket::On);
  auto started = app.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "control_command");
  EXPECT_NE(started.error().message.find("ack is registered twice"), std::string::npos)
      << started.error().message;
}

TEST_F(ControlSocketTest, NoSocketWhenOff) {
  Application app(io_, notifier_, config(), {serving("whoami", started_)});
  ASSERT_TRUE(app.start());
  EXPECT_EQ(started_, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("control.sock")));
}

}  // namespace
}  // namespace ibackupmon

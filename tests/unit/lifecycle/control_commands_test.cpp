// SPDX-License-Identifier: Apache-2.0
// CommandDispatcher: parsing, unknown commands, who may run what, registration.
#include "app/control_commands.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibackupmon {
namespace {

using nlohmann::json;

const ControlPeer kRoot{0};
const ControlPeer kMember{1000};
const ControlPeer kMapped{65534};  // any other user, seen through PrivateUsers=yes
const ControlPeer kUnknown{};

// A dispatcher with "acks" (any peer) and "act" (root only) that record what reached them.
class ControlCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dispatcher_.add("acks", ControlAccess::AnyPeer, record("acks")));
    ASSERT_TRUE(dispatcher_.add("act", ControlAccess::RootOnly, record("act")));
  }
  ControlHandler record(const std::string& name) {
    return [this, name](ControlRequest req, ControlReply reply) {
      seen_.push_back(req);
      reply(json{{"ok", true}, {"command", name}}.dump());
    };
  }
  // The one reply to line, parsed; fails the test unless exactly one came, synchronously.
  json ask(const std::string& line, ControlPeer peer = kMember) {
    std::vector<std::string> replies;
    dispatcher_.dispatch(line, peer, [&](std::string r) { replies.push_back(std::move(r)); });
    EXPECT_EQ(replies.size(), 1u) << line;
    if (replies.empty()) return nullptr;
    json j = json::parse(replies.front(), nullptr, false);
    EXPECT_TRUE(j.is_object()) << replies.front();
    return j;
  }
  CommandDispatcher dispatcher_;
  std::vector<ControlRequest> seen_;
};

TEST_F(ControlCommandsTest, RunsTheCommandWithTheRequestAndThePeer) {
  json r = ask(R"({"command":"acks","extra":[1,2]})", kMember);
  EXPECT_EQ(r, (json{{"ok", true}, {"command", "acks"}}));
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].command, "acks");
  EXPECT_EQ(seen_[0].line, R"({"command":"acks","extra":[1,2]})");
  EXPECT_EQ(seen_[0].peer.uid, std::optional<uid_t>(1000));
}

TEST_F(ControlCommandsTest, UnknownCommandListsTheRegisteredOnes) {
  json r = ask(R"({"command":"reboot"})");
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(r["code"], "unknown_command");
  EXPECT_EQ(r["error"], "command: expected acks or act, found \"reboot\"");
  EXPECT_EQ(r["commands"], (json{"acks", "act"}));
  EXPECT_TRUE(seen_.empty());
}

TEST_F(ControlCommandsTest, UnknownCommandNameIsShownAsOneCleanLine) {
  json r = ask(R"({"command":"x\r\nBcc: evil\u0007"})");
  EXPECT_EQ(r["code"], "unknown_command");
  const std::string error = r["error"];
  EXPECT_EQ(error.find_first_of("\r\n\a"), std::string::npos) << error;
}

TEST_F(ControlCommandsTest, MalformedRequestsAreBadRequests) {
  for (const std::string line : {"not json", "", "[\"acks\"]", "\"acks\"", "{\"command\":", "{}",
                                 "{\"command\":7}", "{\"command\":null}"}) {
    json r = ask(line);
    EXPECT_EQ(r["ok"], false) << line;
    EXPECT_EQ(r["code"], "bad_request") << line;
    EXPECT_EQ(r["commands"], (json{"acks", "act"})) << line;
  }
  EXPECT_EQ(ask("not json")["error"], "request: expected one JSON object per line");
  EXPECT_EQ(ask("{}")["error"], "command: expected a string, one of acks or act");
  EXPECT_TRUE(seen_.empty());
}

TEST_F(ControlCommandsTest, RootOnlyCommandIsRefusedToEveryoneButRoot) {
  for (const ControlPeer& peer : {kMember, kMapped, kUnknown}) {
    json r = ask(R"({"command":"act"})", peer);
    EXPECT_EQ(r["ok"], false);
    EXPECT_EQ(r["code"], "refused");
    EXPECT_EQ(r["error"], "act: only root may run this command");
  }
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(ask(R"({"command":"act"})", kRoot)["ok"], true);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_TRUE(seen_[0].peer.isRoot());
}

TEST_F(ControlCommandsTest, AnyPeerCommandRunsForEveryPeer) {
  for (const ControlPeer& peer : {kRoot, kMember, kMapped, kUnknown}) {
    EXPECT_EQ(ask(R"({"command":"acks"})", peer)["ok"], true);
  }
  EXPECT_EQ(seen_.size(), 4u);
}

TEST_F(ControlCommandsTest, RegisteringANameTwiceIsAnError) {
  auto again = dispatcher_.add("acks", ControlAccess::RootOnly, record("other"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "control_command");
  EXPECT_NE(again.error().message.find("acks"), std::string::npos);
  ask(R"({"command":"acks"})", kMember);  // the first registration stays, open to any peer
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_FALSE(dispatcher_.add("", ControlAccess::AnyPeer, record("")));
  EXPECT_FALSE(dispatcher_.add("nothing", ControlAccess::AnyPeer, nullptr));
  EXPECT_EQ(dispatcher_.commands(), (std::vector<std::string>{"acks", "act"}));
}

TEST_F(ControlCommandsTest, HandlerMayReplyLater) {
  ControlReply later;
  ASSERT_TRUE(dispatcher_.add("capture", ControlAccess::AnyPeer,
                              [&](ControlRequest, ControlReply reply) { later = reply; }));
  std::vector<std::string> replies;
  dispatcher_.dispatch(R"({"command":"capture"})", kMember,
                       [&](std::string r) { replies.push_back(std::move(r)); });
  EXPECT_TRUE(replies.empty());
  ASSERT_TRUE(later);
  later(R"({"ok":true})");
  EXPECT_EQ(replies, (std::vector<std::string>{R"({"ok":true})"}));
}

TEST_F(ControlCommandsTest, HandlerThatThrowsIsAnsweredOnce) {
  ASSERT_TRUE(dispatcher_.add("boom", ControlAccess::AnyPeer, [](ControlRequest, ControlReply) {
    throw std::runtime_error("database is locked");
  }));
  json r = ask(R"({"command":"boom"})");
  EXPECT_EQ(r["code"], "failed");
  EXPECT_EQ(r["error"], "boom: database is locked");
}

TEST(ControlError, IsOneJsonObjectWithCode) {
  json r = json::parse(controlError("no_such_device", "no device 00008030"));
  EXPECT_EQ(r, (json{{"ok", false}, {"error", "no device 00008030"}, {"code", "no_such_device"}}));
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "core/line_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;

// A UNIX socket in a fresh directory; `serve` handles the one connection it accepts.
class OneConnectionServer {
 public:
  explicit OneConnectionServer(std::function<void(int)> serve) {
    char dir[] = "/tmp/ibackupmon-line-XXXXXX";
    dir_ = ::mkdtemp(dir);
    path_ = dir_ + "/control.sock";
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    thread_ = std::thread([this, serve] {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      serve(fd);
      ::close(fd);
    });
  }
  ~OneConnectionServer() {
    thread_.join();
    ::close(listener_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
  int listener_ = -1;
  std::thread thread_;
};

std::string readLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

void writeAll(int fd, const std::string& s) {
  ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

TEST(LineClientTest, SendsOneLineAndReturnsTheReplyLine) {
  std::string received;
  {
    OneConnectionServer server([&](int fd) {
      received = readLine(fd);
      writeAll(fd, "{\"ok\":true}\n{\"ignored\":1}\n");
    });
    auto reply = exchangeLine(server.path(), R"({"command":"acks"})", 10s);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(*reply, R"({"ok":true})");
  }
  EXPECT_EQ(received, R"({"command":"acks"})");
}

TEST(LineClientTest, AReplyInPiecesIsOneLine) {
  OneConnectionServer server([](int fd) {
    readLine(fd);
    writeAll(fd, "{\"ok\":");
    std::this_thread::sleep_for(20ms);
    writeAll(fd, "true}\n");
  });
  EXPECT_EQ(exchangeLine(server.path(), "x", std::nullopt).value_or("?"), R"({"ok":true})");
}

TEST(LineClientTest, AServerThatAnswersAndClosesBeforeReadingIsHeard) {
  // As ibackupmond refuses a connection over its limit.
  OneConnectionServer server(
      [](int fd) { writeAll(fd, "{\"ok\":false,\"error\":\"too many connections\"}\n"); });
  // More than the socket buffers hold: the write fails once the server has closed.
  auto reply = exchangeLine(server.path(), std::string(1 << 20, 'x'), 10s);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(*reply, R"({"ok":false,"error":"too many connections"})");
}

TEST(LineClientTest, ClosedWithoutAWholeLineIsNoReply) {
  OneConnectionServer server([](int fd) {
    readLine(fd);
    writeAll(fd, "{\"ok\":");
  });
  auto reply = exchangeLine(server.path(), "x", 10s);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, line_error::kNoReply);
}

TEST(LineClientTest, SilenceBeyondTheTimeoutIsNoReply) {
  OneConnectionServer server([](int fd) {
    readLine(fd);
    std::this_thread::sleep_for(500ms);
  });
  auto reply = exchangeLine(server.path(), "x", 50ms);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, line_error::kNoReply);
}

TEST(LineClientTest, NobodyListeningIsConnect) {
  auto reply = exchangeLine("/nonexistent/control.sock", "x", 1s);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, line_error::kConnect);
  EXPECT_EQ(reply.error().message, std::strerror(ENOENT));
}

TEST(LineClientTest, APathTooLongForAUnixSocketIsRefused) {
  auto reply = exchangeLine("/tmp/" + std::string(200, 'x'), "x", 1s);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, line_error::kPathTooLong);
}

}  // namespace
}  // namespace ibackupmon

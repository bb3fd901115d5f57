// SPDX-License-Identifier: Apache-2.0
#pragma once
// Starts tests/integration/feeds/feed_server.py under /usr/bin/python3 on 127.0.0.1 (free port)
// and stops it in the destructor.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibackupmon::testing {

class LoopbackFeedServer {
 public:
  explicit LoopbackFeedServer(std::vector<std::string> extraArgs = {}) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    const std::string src = IBACKUPMON_SOURCE_DIR;
    std::vector<std::string> args = {"/usr/bin/python3",
                                     src + "/tests/integration/feeds/feed_server.py",
                                     src + "/tests/fixtures/feeds"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
    port_ = readPort();
  }
  ~LoopbackFeedServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  LoopbackFeedServer(const LoopbackFeedServer&) = delete;
  LoopbackFeedServer& operator=(const LoopbackFeedServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  int readPort() {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        throw std::runtime_error("feed_server.py did not report its port");
      }
      char buf[64];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("feed_server.py exited before listening");
      line.append(buf, static_cast<std::size_t>(n));
    }
    if (line.rfind("PORT ", 0) != 0) throw std::runtime_error("unexpected: " + line);
    return std::stoi(line.substr(5));
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
};

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Starts tests/integration/feeds/feed_server.py under /usr/bin/python3 on 127.0.0.1 (free port)
// and stops it in the destructor.

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace ibackupmon::testing {

class LoopbackFeedServer {
 public:
  explicit LoopbackFeedServer(std::vector<std::string> extraArgs = {})
      : server_(arguments(extraArgs), {.out = Output::capture()}) {
    // Its first line on stdout: "PORT <n>".
    const auto line = server_.readLine(in(std::chrono::seconds(20)));
    if (!line) throw std::runtime_error("feed_server.py did not report its port");
    if (line->rfind("PORT ", 0) != 0) throw std::runtime_error("unexpected: " + *line);
    port_ = std::stoi(line->substr(5));
  }

  int port() const { return port_; }
  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  static std::vector<std::string> arguments(const std::vector<std::string>& extraArgs) {
    const std::string src = IBACKUPMON_SOURCE_DIR;
    std::vector<std::string> args = {"/usr/bin/python3",
                                     src + "/tests/integration/feeds/feed_server.py",
                                     src + "/tests/fixtures/feeds"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    return args;
  }

  Child server_;  // SIGTERM, waited for, in the destructor
  int port_ = 0;
};

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Starts tests/integration/alert/smtp_sink.py (a real aiosmtpd server on 127.0.0.1) and reads
/// the messages it stored. Stopped (SIGTERM, waited for) in the destructor.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/wait_for.h"

namespace ibackupmon::testing {

class SmtpSink {
 public:
  explicit SmtpSink(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
  }
  ~SmtpSink() { stop(); }

  /// Starts on `port` (0 = a free one). Returns false when it did not come up.
  bool start(int port = 0) {
    std::string portFile = (dir_ / "port").string();
    std::filesystem::remove(portFile);
    server_ = std::make_unique<Child>(
        std::vector<std::string>{
            "/usr/bin/python3",
            std::string(IBACKUPMON_SOURCE_DIR) + "/tests/integration/alert/smtp_sink.py", "--dir",
            dir_.string(), "--port-file", portFile, "--port", std::to_string(port)},
        ProcessOptions{.dieWithParent = true});  // never outlive a crashed test
    if (!waitFor([&] { return std::filesystem::exists(portFile); })) return false;
    std::ifstream(portFile) >> port_;
    return port_ > 0;
  }

  void stop() { server_.reset(); }  // SIGTERM, waited for

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  /// Stored messages, oldest first.
  std::vector<std::string> messages() const {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      if (e.path().extension() == ".eml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      out.push_back(s.str());
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Child> server_;
  int port_ = 0;
};

/// The value of a header ("Message-ID") in a raw message; empty when absent.
inline std::string headerOf(const std::string& message, const std::string& name) {
  std::string needle = "\r\n" + name + ": ";
  std::string head = "\r\n" + message.substr(0, message.find("\r\n\r\n"));
  auto pos = head.find(needle);
  if (pos == std::string::npos) return "";
  auto end = head.find("\r\n", pos + needle.size());
  return head.substr(pos + needle.size(), end - pos - needle.size());
}

}  // namespace ibackupmon::testing

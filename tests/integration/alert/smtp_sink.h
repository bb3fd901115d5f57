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
  std::string value;
  std::size_t start = pos + needle.size();
  while (true) {  // a folded header continues on lines that begin with white space
    auto end = head.find("\r\n", start);
    value += head.substr(start, end == std::string::npos ? end : end - start);
    if (end == std::string::npos || end + 2 >= head.size() ||
        (head[end + 2] != ' ' && head[end + 2] != '\t')) {
      break;
    }
    start = end + 2;
  }
  return value;
}

/// The text/plain part of a message, quoted-printable decoded, with CRLF as LF.
inline std::string decodedText(const std::string& message) {
  auto part = message.find("Content-Type: text/plain");
  if (part == std::string::npos) return "";
  auto body = message.find("\r\n\r\n", part);
  auto end = message.find("\r\n--", body);
  std::string qp = message.substr(body + 4, end == std::string::npos ? end : end - body - 4);
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '\r') continue;
    if (qp[i] != '=') {
      out += qp[i];
    } else if (i + 1 < qp.size() && (qp[i + 1] == '\r' || qp[i + 1] == '\n')) {
      i += qp[i + 1] == '\r' ? 2 : 1;  // soft line break
    } else if (i + 2 < qp.size()) {
      out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

}  // namespace ibackupmon::testing

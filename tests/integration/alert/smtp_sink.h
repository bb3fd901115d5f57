// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Starts tests/integration/alert/smtp_sink.py (a real aiosmtpd server on 127.0.0.1) and reads
/// the messages it stored. Stopped (SIGTERM, waited for) in the destructor.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ibackupmon::testing {

/// Polls cond every 20 ms until it holds or the deadline passes; returns the last result.
template <class F>
bool waitFor(F cond, std::chrono::milliseconds deadline = std::chrono::seconds(15)) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

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
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
      std::string script =
          std::string(IBACKUPMON_SOURCE_DIR) + "/tests/integration/alert/smtp_sink.py";
      std::string p = std::to_string(port);
      std::string d = dir_.string();
      execl("/usr/bin/python3", "python3", script.c_str(), "--dir", d.c_str(), "--port-file",
            portFile.c_str(), "--port", p.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (!waitFor([&] { return std::filesystem::exists(portFile); })) return false;
    std::ifstream(portFile) >> port_;
    return port_ > 0;
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

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
  pid_t pid_ = -1;
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

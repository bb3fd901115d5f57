// SPDX-License-Identifier: Apache-2.0
#include "process_harness.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ibackupmon::testing {

namespace {

// Variables a parent systemd or CI might have set that would change the daemon's behaviour.
const std::vector<std::string> kScrubbed = {"NOTIFY_SOCKET",  "WATCHDOG_USEC", "WATCHDOG_PID",
                                            "JOURNAL_STREAM", "INVOCATION_ID", "LISTEN_FDS"};

std::string nextTag() {
  static int counter = 0;
  return std::to_string(++counter);
}

}  // namespace

TempDir::TempDir() {
  char pattern[] = "/tmp/ibackupmon-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& text) const {
  // Write then rename, so a daemon reading on SIGHUP never sees half a file.
  const std::string tmp = file(name + ".tmp");
  std::ofstream(tmp, std::ios::trunc) << text;
  std::filesystem::rename(tmp, file(name));
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind notify socket " + path_);
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
}

bool NotifySocket::receiveOne(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[4096];
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n < 0) return false;
  messages_.emplace_back(buffer, static_cast<std::size_t>(n));
  return true;
}

bool NotifySocket::waitFor(const std::string& needle, Deadline deadline) {
  while (true) {
    for (; cursor_ < messages_.size(); ++cursor_) {
      if (messages_[cursor_].find(needle) != std::string::npos) {
        ++cursor_;
        return true;
      }
    }
    if (!receiveOne(deadline)) return false;
  }
}

int NotifySocket::countUntil(const std::string& needle, Deadline deadline) {
  const std::size_t start = messages_.size();
  while (receiveOne(deadline)) {
  }
  int count = 0;
  for (std::size_t i = start; i < messages_.size(); ++i) {
    if (messages_[i].find(needle) != std::string::npos) ++count;
  }
  return count;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env, const TempDir& dir)
    : ChildProcess(argv, env, dir.file("child" + nextTag())) {}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::string& pathStem)
    : Child(argv, {.env = env,
                   .unsetEnv = kScrubbed,
                   .out = Output::file(pathStem + ".out"),
                   .err = Output::file(pathStem + ".err"),
                   .stopSignal = SIGKILL}),
      outPath_(pathStem + ".out"),
      errPath_(pathStem + ".err") {}

std::string ChildProcess::err() const {
  return readFile(errPath_);
}
std::string ChildProcess::out() const {
  return readFile(outPath_);
}

bool ChildProcess::waitForErr(const std::string& needle, Deadline deadline) const {
  while (err().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

ProcessResult runProcess(const std::vector<std::string>& argv, const TempDir& dir,
                         std::chrono::milliseconds timeout) {
  ChildProcess child(argv, {}, dir);
  ProcessResult result;
  if (auto code = child.waitExit(in(timeout))) {
    result.exitCode = *code;
    result.signal = child.termSignal();
  } else {
    result.timedOut = true;  // killed by ~ChildProcess
  }
  result.out = child.out();
  result.err = child.err();
  return result;
}

}  // namespace ibackupmon::testing

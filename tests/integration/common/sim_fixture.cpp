// SPDX-License-Identifier: Apache-2.0
#include "sim_fixture.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ibackupmon::testkit {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SimProcess::SimProcess(SimConfig config) : config_(std::move(config)) {
  char tmpl[] = "/tmp/ibackupmon-sim-XXXXXX";
  const char* d = mkdtemp(tmpl);
  dir_ = d ? d : "/tmp";
  control_ = dir_ + "/ctl.sock";
  events_ = dir_ + "/events.jsonl";
  ready_ = dir_ + "/ready";
}

SimProcess::~SimProcess() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string SimProcess::binary(const std::string& name) {
  return std::string(IBACKUPMON_TESTKIT_BIN_DIR) + "/" + name;
}

bool SimProcess::start() {
  std::vector<std::string> argv{binary("ibackupmon-sim"),
                                "--socket",
                                config_.tcp ? "127.0.0.1:0" : dir_ + "/usbmuxd.sock",
                                "--control",
                                control_,
                                "--ready-file",
                                ready_,
                                "--events",
                                events_};
  if (!config_.fleet.empty())
    argv.insert(argv.end(), {"--fleet", config_.fleet});
  else
    argv.insert(argv.end(), {"--generate", std::to_string(config_.generate), "--seed",
                             std::to_string(config_.seed)});
  argv.insert(argv.end(), config_.extraArgs.begin(), config_.extraArgs.end());
  std::string log = dir_ + "/sim.log";
  pid_ = fork();
  if (pid_ == 0) {
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  bool ready = waitFor(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // exited: stop waiting, report below
        }
        return std::filesystem::exists(ready_);
      },
      std::chrono::seconds(20));
  if (!ready || pid_ < 0) {
    error_ = "ibackupmon-sim did not become ready: " + readFile(log);
    stop();
    return false;
  }
  std::istringstream lines(readFile(ready_));
  std::getline(lines, address_);
  if (address_.starts_with("UNIX:") == false && address_.find(':') == std::string::npos) {
    error_ = "unexpected ready file: " + address_;
    return false;
  }
  return true;
}

void SimProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  bool gone =
      waitFor([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, std::chrono::seconds(30));
  if (!gone) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

void SimProcess::exportAddress() const {
  setenv("USBMUXD_SOCKET_ADDRESS", address_.c_str(), 1);
}

RunResult SimProcess::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{binary("ibackupmon-sim"), "ctl", "--control", control_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, {}, std::chrono::seconds(10));
}

std::string SimProcess::events() const {
  return readFile(events_);
}

std::vector<std::string> SimProcess::udidsWith(const std::string& word) const {
  std::vector<std::string> out;
  std::istringstream lines(ctl({"list"}).out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string f, udid;
    fields >> udid;
    while (fields >> f) {
      if (f == word || f.starts_with(word + "=")) {
        out.push_back(udid);
        break;
      }
    }
  }
  return out;
}

}  // namespace ibackupmon::testkit

// SPDX-License-Identifier: Apache-2.0
#include "sim_fixture.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

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
  try {
    child_ = std::make_unique<Child>(
        argv, ProcessOptions{.out = testing::Output::inherit(), .err = testing::Output::file(log)});
  } catch (const std::runtime_error& e) {
    error_ = std::string("cannot start ibackupmon-sim: ") + e.what();
    return false;
  }
  // Stops waiting when it exits; reported below.
  bool ready = waitFor([&] { return !child_->running() || std::filesystem::exists(ready_); },
                       std::chrono::seconds(20));
  if (!ready || !child_->running()) {
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
  child_.reset();  // SIGTERM, then SIGKILL after 30 s
}

void SimProcess::exportAddress() const {
  setenv("USBMUXD_SOCKET_ADDRESS", address_.c_str(), 1);
}

ProcessResult SimProcess::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{binary("ibackupmon-sim"), "ctl", "--control", control_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, {.timeout = std::chrono::seconds(10)});
}

std::string SimProcess::events() const {
  return readFile(events_);
}

std::size_t SimProcess::countEvents(const std::string& udid,
                                    std::initializer_list<std::string> what) const {
  std::istringstream lines(events());
  std::size_t n = 0;
  for (std::string l; std::getline(lines, l);) {
    bool all = l.find(udid) != std::string::npos;
    for (const auto& w : what) all = all && l.find(w) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
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

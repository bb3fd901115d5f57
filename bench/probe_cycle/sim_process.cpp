// SPDX-License-Identifier: Apache-2.0
#include "sim_process.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ibackupmon::bench {
namespace {

using namespace std::chrono_literals;

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

}  // namespace

SimProcess::SimProcess(const std::string& binDir, int devices, int seed) : binDir_(binDir) {
  dir_ = "/tmp/bench-probe-cycle-" + std::to_string(getpid()) + "-" + std::to_string(devices);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  const std::string sock = dir_ + "/mux.sock";
  const std::string ready = dir_ + "/ready";
  const std::string log = dir_ + "/sim.log";
  const std::string control = dir_ + "/ctl.sock";
  const std::string bin = binDir + "/ibackupmon-sim";
  sim_ = std::make_unique<testing::Child>(
      std::vector<std::string>{bin, "--socket", sock, "--generate", std::to_string(devices),
                               "--seed", std::to_string(seed), "--ready-file", ready, "--control",
                               control},
      testing::ProcessOptions{.out = testing::Output::file(log),
                              .err = testing::Output::toStdout()});
  const auto end = std::chrono::steady_clock::now() + 60s;
  while (!std::filesystem::exists(ready)) {
    if (!sim_->running() || std::chrono::steady_clock::now() > end) {
      throw std::runtime_error("ibackupmon-sim (" + bin + ") did not start; see " + log);
    }
    std::this_thread::sleep_for(10ms);
  }
  setenv("USBMUXD_SOCKET_ADDRESS", ("UNIX:" + sock).c_str(), 1);
}

SimProcess::~SimProcess() {
  sim_.reset();  // SIGTERM, SIGKILL after 30 s
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

double SimProcess::cpuSeconds() const {
  // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks; field 2 may hold
  // spaces, so count from the closing parenthesis.
  std::ifstream in("/proc/" + std::to_string(sim_->pid()) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 13) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime, stime
}

namespace {

// `ibackupmon-sim ctl list`, one row per device: UDID DEVICEID attached|detached usb|network
// SITUATION [FAULT...].
std::vector<std::vector<std::string>> listDevices(const std::string& binDir,
                                                  const std::string& dir) {
  const auto list = testing::runProcess(
      {binDir + "/ibackupmon-sim", "ctl", "--control", dir + "/ctl.sock", "list"},
      {.out = testing::Output::capture(), .err = testing::Output::inherit()});
  if (list.exitCode != 0) throw std::runtime_error("ibackupmon-sim ctl list failed");
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() >= 5) rows.push_back(std::move(fields));
  }
  return rows;
}

}  // namespace

void SimProcess::plug(const std::string& udid, bool attach) const {
  const auto r =
      testing::runProcess({binDir_ + "/ibackupmon-sim", "ctl", "--control", dir_ + "/ctl.sock",
                           attach ? "attach" : "detach", udid},
                          {.out = testing::Output::discard(), .err = testing::Output::inherit()});
  if (r.exitCode != 0) {
    throw std::runtime_error("ibackupmon-sim ctl " + std::string(attach ? "attach " : "detach ") +
                             udid + " failed");
  }
}

int SimProcess::detachFaulty() {
  int n = 0;
  for (const auto& row : listDevices(binDir_, dir_)) {
    if (row.size() > 5 && row[2] == "attached") {
      plug(row[0], false);
      ++n;
    }
  }
  return n;
}

std::vector<std::string> SimProcess::readableUsb() const {
  std::vector<std::string> out;
  for (const auto& row : listDevices(binDir_, dir_)) {
    if (row.size() == 5 && row[2] == "attached" && row[3] == "usb") out.push_back(row[0]);
  }
  return out;
}

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

double childrenCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace ibackupmon::bench

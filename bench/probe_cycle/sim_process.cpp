// SPDX-License-Identifier: Apache-2.0
#include "sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

bool waitExit(pid_t pid, std::chrono::seconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
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
  const std::string n = std::to_string(devices);
  const std::string s = std::to_string(seed);
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execl(bin.c_str(), bin.c_str(), "--socket", sock.c_str(), "--generate", n.c_str(), "--seed",
          s.c_str(), "--ready-file", ready.c_str(), "--control", control.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto end = std::chrono::steady_clock::now() + 60s;
  while (!std::filesystem::exists(ready)) {
    if (pid_ < 0 || waitpid(pid_, nullptr, WNOHANG) == pid_ ||
        std::chrono::steady_clock::now() > end) {
      throw std::runtime_error("ibackupmon-sim (" + bin + ") did not start; see " + log);
    }
    std::this_thread::sleep_for(10ms);
  }
  setenv("USBMUXD_SOCKET_ADDRESS", ("UNIX:" + sock).c_str(), 1);
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!waitExit(pid_, 30s)) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

double SimProcess::cpuSeconds() const {
  // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks; field 2 may hold
  // spaces, so count from the closing parenthesis.
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
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

int SimProcess::detachFaulty() {
  const std::string ctl = binDir_ + "/ibackupmon-sim ctl --control " + dir_ + "/ctl.sock ";
  FILE* p = popen((ctl + "list").c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run ibackupmon-sim ctl list");
  std::vector<std::string> faulty;
  char line[1024];
  while (fgets(line, sizeof line, p) != nullptr) {
    // UDID DEVICEID attached|detached usb|network SITUATION [FAULT...]
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() > 5 && fields[2] == "attached") faulty.push_back(fields[0]);
  }
  if (pclose(p) != 0) throw std::runtime_error("ibackupmon-sim ctl list failed");
  for (const auto& udid : faulty) {
    if (std::system((ctl + "detach " + udid + " > /dev/null").c_str()) != 0) {
      throw std::runtime_error("ibackupmon-sim ctl detach " + udid + " failed");
    }
  }
  return static_cast<int>(faulty.size());
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

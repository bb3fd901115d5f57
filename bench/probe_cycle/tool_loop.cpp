// SPDX-License-Identifier: Apache-2.0
#include "tool_loop.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;  // NOLINT: posix_spawn passes the environment on (USBMUXD_SOCKET_ADDRESS)

namespace ibackupmon::bench {
namespace {

constexpr const char* kDomains[] = {"com.apple.mobile.backup", "com.apple.mobile.battery",
                                    "com.apple.disk_usage", "com.apple.mobile.data_sync"};

// Runs a tool with its output discarded; true on exit status 0.
bool run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw std::runtime_error("cannot run " + args[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<std::string> listUdids() {
  std::vector<std::string> udids;
  FILE* p = popen("idevice_id -l", "r");  // USB devices only (-n would add network ones)
  if (p == nullptr) throw std::runtime_error("cannot run idevice_id -l");
  char line[256];
  while (fgets(line, sizeof line, p) != nullptr) {
    std::string udid(line);
    while (!udid.empty() && (udid.back() == '\n' || udid.back() == ' ')) udid.pop_back();
    if (!udid.empty()) udids.push_back(udid);
  }
  if (pclose(p) != 0) throw std::runtime_error("idevice_id -l failed");
  return udids;
}

bool readDevice(const std::string& udid) {
  if (!run({"ideviceinfo", "-u", udid})) return false;
  for (const char* domain : kDomains) run({"ideviceinfo", "-u", udid, "-q", domain});
  run({"idevicediagnostics", "-u", udid, "ioregentry", "AppleBCMWLANSkywalkInterface"});
  return true;
}

}  // namespace

LoopResult runToolLoop(const SimProcess& sim, int sample) {
  LoopResult r;
  const double cpu0 = childrenCpuSeconds();
  const double simCpu0 = sim.cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::string> udids = listUdids();
  r.devices = static_cast<int>(udids.size());
  r.measured = sample > 0 && sample < r.devices ? sample : r.devices;
  // Evenly spread: the generated fleet lists its special situations first.
  for (int i = 0; i < r.measured; ++i) {
    const auto index = static_cast<std::size_t>(static_cast<long>(i) * r.devices / r.measured);
    const auto start = std::chrono::steady_clock::now();
    if (readDevice(udids[index])) {
      ++r.sessionsOk;
    } else {
      r.failedSeconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double scale = r.measured > 0 ? static_cast<double>(r.devices) / r.measured : 0;
  r.wallSeconds = wall * scale;
  r.cpuSeconds = (childrenCpuSeconds() - cpu0) * scale;
  r.failedSeconds *= scale;
  r.simCpuSeconds = (sim.cpuSeconds() - simCpu0) * scale;
  return r;
}

}  // namespace ibackupmon::bench

// SPDX-License-Identifier: Apache-2.0
#include "tool_loop.h"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace ibackupmon::bench {
namespace {

constexpr const char* kToolDomains[] = {"com.apple.mobile.backup", "com.apple.mobile.battery",
                                        "com.apple.disk_usage", "com.apple.mobile.data_sync"};

// Runs a tool with its output discarded, as long as it takes; true on exit status 0. Throws when
// the tool cannot be run.
bool run(const std::vector<std::string>& args) {
  testing::Child tool(args, {.out = testing::Output::discard(), .err = testing::Output::discard()});
  return tool.wait() == 0;
}

std::vector<std::string> listUdids() {
  // USB devices only (-n would add network ones).
  const auto r = testing::runProcess({"idevice_id", "-l"}, {.err = testing::Output::inherit()});
  if (r.exitCode != 0) throw std::runtime_error("idevice_id -l failed");
  std::vector<std::string> udids;
  std::istringstream lines(r.out);
  for (std::string udid; std::getline(lines, udid);) {
    while (!udid.empty() && udid.back() == ' ') udid.pop_back();
    if (!udid.empty()) udids.push_back(udid);
  }
  return udids;
}

bool readWithTools(const std::string& udid) {
  if (!run({"ideviceinfo", "-u", udid})) return false;
  for (const char* domain : kToolDomains) run({"ideviceinfo", "-u", udid, "-q", domain});
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
    if (readWithTools(udids[index])) {
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

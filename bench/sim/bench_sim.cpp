// SPDX-License-Identifier: Apache-2.0
// bench_sim [--quick] [--devices N] [--threads T] [--seconds S]
// Starts ibackupmon-sim --generate N, runs full lockdown sessions (handshake, TLS, one
// GetValue, StopSession) from T threads for S seconds, prints sessions/s and the simulator's RSS.
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"

namespace {

struct Options {
  int devices = 1000, threads = 32, seconds = 20;
};

long rssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::vector<std::string> healthyUdids(const std::string& control) {
  const auto list = ibackupmon::testing::runProcess(
      {std::string(IBACKUPMON_BIN_DIR) + "/ibackupmon-sim", "ctl", "--control", control, "list"},
      {.err = ibackupmon::testing::Output::inherit()});
  std::vector<std::string> out;
  std::istringstream lines(list.out);
  for (std::string l; std::getline(lines, l);) {
    if (l.find(" attached usb healthy") != std::string::npos)
      out.push_back(l.substr(0, l.find(' ')));
  }
  return out;
}

bool session(const std::string& udid) {
  idevice_t dev = nullptr;
  if (idevice_new_with_options(&dev, udid.c_str(), IDEVICE_LOOKUP_USBMUX) != IDEVICE_E_SUCCESS)
    return false;
  lockdownd_client_t client = nullptr;
  bool ok = lockdownd_client_new_with_handshake(dev, &client, "bench_sim") == LOCKDOWN_E_SUCCESS;
  plist_t v = nullptr;
  ok = ok &&
       lockdownd_get_value(client, "com.apple.mobile.backup", nullptr, &v) == LOCKDOWN_E_SUCCESS;
  if (v) plist_free(v);
  if (client) lockdownd_client_free(client);
  idevice_free(dev);
  return ok;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      o.threads = 8, o.seconds = 3;
    else if (a == "--devices" && i + 1 < argc)
      o.devices = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      o.threads = std::atoi(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc)
      o.seconds = std::atoi(argv[++i]);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::string dir = "/tmp/bench-sim-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string sock = dir + "/mux.sock", control = dir + "/ctl.sock", ready = dir + "/ready";
  auto t0 = std::chrono::steady_clock::now();
  ibackupmon::testing::Child sim({std::string(IBACKUPMON_BIN_DIR) + "/ibackupmon-sim", "--socket",
                                  sock, "--generate", std::to_string(o.devices), "--control",
                                  control, "--ready-file", ready});
  while (!std::filesystem::exists(ready)) {
    if (!sim.running()) return std::fprintf(stderr, "simulator failed to start\n"), 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  double startup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long idleRss = rssKiB(sim.pid());
  setenv("USBMUXD_SOCKET_ADDRESS", ("UNIX:" + sock).c_str(), 1);
  std::vector<std::string> udids = healthyUdids(control);
  std::atomic<long> ok{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  auto begin = std::chrono::steady_clock::now();
  for (int t = 0; t < o.threads && !udids.empty(); ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !stop; i += static_cast<size_t>(o.threads)) {
        (session(udids[i % udids.size()]) ? ok : failed)++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  long loadRss = rssKiB(sim.pid());
  stop = true;
  for (auto& w : workers) w.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  sim.stop();
  std::filesystem::remove_all(dir);
  std::printf("devices %d  threads %d  startup %.2f s\n", o.devices, o.threads, startup);
  std::printf("sessions %ld ok, %ld failed in %.1f s: %.1f sessions/s\n", ok.load(), failed.load(),
              elapsed, ok.load() / elapsed);
  std::printf("simulator RSS: %.1f MiB idle, %.1f MiB under load\n", idleRss / 1024.0,
              loadRss / 1024.0);
  return (ok.load() > 0 && failed.load() == 0) ? 0 : 1;
}

// SPDX-License-Identifier: Apache-2.0
// The one place in bench/ that calls libimobiledevice directly: measuring the raw library is
// its point (scripts/check-boundaries.sh covers lib/, daemon/ and tools/ only).
#include "raw_loop.h"

#include <libimobiledevice/diagnostics_relay.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <usbmuxd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ibackupmon::bench {
namespace {

// The same names lib/probes reads (kept literal: the floor must not depend on our code).
constexpr const char* kDomains[] = {nullptr, "com.apple.mobile.backup", "com.apple.mobile.battery",
                                    "com.apple.disk_usage", "com.apple.mobile.data_sync"};
constexpr const char* kWifiName = "AppleBCMWLANSkywalkInterface";
constexpr const char* kWifiClass = "IO80211Interface";
constexpr const char* kPowerSourceClass = "IOPMPowerSource";

std::vector<std::string> usbUdids() {
  idevice_info_t* list = nullptr;
  int count = 0;
  if (idevice_get_device_list_extended(&list, &count) != IDEVICE_E_SUCCESS) {
    throw std::runtime_error("idevice_get_device_list_extended failed");
  }
  std::vector<std::string> udids;
  for (int i = 0; i < count; ++i) {
    if (list[i]->conn_type == CONNECTION_USBMUXD) udids.emplace_back(list[i]->udid);
  }
  idevice_device_list_extended_free(list);
  return udids;
}

// True when the entry came back non-empty.
bool queryEntry(diagnostics_relay_client_t diag, const char* name, const char* cls) {
  plist_t node = nullptr;
  const auto err = diagnostics_relay_query_ioregistry_entry(diag, name, cls, &node);
  bool found = false;
  if (err == DIAGNOSTICS_RELAY_E_SUCCESS && node != nullptr) {
    plist_t reg = plist_dict_get_item(node, "IORegistry");
    found = reg != nullptr && plist_dict_get_size(reg) > 0;
  }
  if (node != nullptr) plist_free(node);
  return found;
}

// The two IORegistry reads of the probe table (the Wi-Fi interface, then the battery by class) on
// one diagnostics_relay connection.
void readIoregistry(idevice_t dev, lockdownd_client_t client) {
  lockdownd_service_descriptor_t svc = nullptr;
  if (lockdownd_start_service(client, "com.apple.mobile.diagnostics_relay", &svc) !=
      LOCKDOWN_E_SUCCESS) {
    return;
  }
  diagnostics_relay_client_t diag = nullptr;
  const auto err = diagnostics_relay_client_new(dev, svc, &diag);
  lockdownd_service_descriptor_free(svc);
  if (err != DIAGNOSTICS_RELAY_E_SUCCESS) return;
  if (!queryEntry(diag, kWifiName, nullptr)) queryEntry(diag, nullptr, kWifiClass);
  queryEntry(diag, nullptr, kPowerSourceClass);
  diagnostics_relay_goodbye(diag);
  diagnostics_relay_client_free(diag);
}

// The pair record, read from usbmuxd and parsed before the session as the daemon does (so that a
// record usbmuxd cannot hand over never opens a session that could pair): one more request.
void readPairRecord(const std::string& udid) {
  char* data = nullptr;
  std::uint32_t size = 0;
  if (usbmuxd_read_pair_record(udid.c_str(), &data, &size) >= 0 && data != nullptr) {
    plist_t record = nullptr;
    plist_from_memory(data, size, &record);
    if (record != nullptr) plist_free(record);
  }
  std::free(data);  // NOLINT: libusbmuxd allocates with malloc
}

// One device: its pair record, one session, every read; true when the session opened.
bool readDevice(const std::string& udid) {
  idevice_t dev = nullptr;
  if (idevice_new_with_options(&dev, udid.c_str(), IDEVICE_LOOKUP_USBMUX) != IDEVICE_E_SUCCESS) {
    return false;
  }
  readPairRecord(udid);
  lockdownd_client_t client = nullptr;
  const bool opened =
      lockdownd_client_new_with_handshake(dev, &client, "ibackupmon") == LOCKDOWN_E_SUCCESS;
  if (opened) {
    for (const char* domain : kDomains) {
      plist_t value = nullptr;
      lockdownd_get_value(client, domain, nullptr, &value);
      if (value != nullptr) plist_free(value);
    }
    readIoregistry(dev, client);
  }
  if (client != nullptr) lockdownd_client_free(client);
  idevice_free(dev);
  return opened;
}

}  // namespace

LoopResult runRawLoop(const SimProcess& sim, int concurrency) {
  LoopResult r;
  const double cpu0 = processCpuSeconds();
  const double simCpu0 = sim.cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::string> udids = usbUdids();
  // `concurrency` threads take the next device from one shared index, as the daemon's pool takes
  // the next due device: the same reads at the same concurrency.
  std::atomic<std::size_t> next{0};
  std::mutex m;
  auto worker = [&] {
    for (std::size_t i = next++; i < udids.size(); i = next++) {
      const auto start = std::chrono::steady_clock::now();
      const bool opened = readDevice(udids[i]);
      const double took =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard l(m);
      if (opened) {
        ++r.sessionsOk;
      } else {
        r.failedSeconds += took;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < concurrency; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  r.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpuSeconds = processCpuSeconds() - cpu0;
  r.simCpuSeconds = sim.cpuSeconds() - simCpu0;
  r.devices = static_cast<int>(udids.size());
  r.measured = r.devices;
  return r;
}

}  // namespace ibackupmon::bench

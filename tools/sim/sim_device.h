// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Runtime state of one simulated device: its domains, usbmuxd identity, trust and services.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "fleet.h"
#include "plist_util.h"

namespace sim {

struct ServiceState;

struct SimDevice {
  DeviceSpec spec;                       // spec.faults is the live fault set
  std::map<std::string, Plist> domains;  // "" = default domain
  uint32_t deviceId = 0;                 // usbmuxd DeviceID while attached
  bool attached = false;
  std::string hostId;                            // HostID of the pair record usbmuxd serves
  bool recordOnHost = true;                      // usbmuxd holds a (generated) pair record
  std::set<std::string> trustedHostIds;          // HostIDs this device accepts in StartSession
  std::map<uint16_t, std::string> servicePorts;  // ports handed out by StartService
  uint16_t nextPort = 49152;
  uint64_t sessions = 0;
  std::shared_ptr<ServiceState> services;  // see services/service_state.h (created on first use)

  /// Looks up a value; nullptr when the domain or key does not exist.
  plist_t value(const std::string& domain, const std::string& key) const;
  /// Sets a value, creating the domain when needed (takes ownership of `node`).
  void setValue(const std::string& domain, const std::string& key, Plist node);
  /// Reserves a port for `service`; the client connects to it through usbmuxd.
  uint16_t openService(const std::string& service);
  /// The service behind `port`, consumed (each StartService port serves one connection).
  std::string takeService(uint16_t port);
  bool isIpad() const;
};

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A usbmuxd Connect that reached a device: lockdownd on port 62078 or a started service.

#include <cstdint>
#include <string>

#include "sim_asio.h"
#include "simulator.h"

namespace sim {

struct ConnectTarget {
  uint32_t result = 0;  // usbmuxd result code for the Connect
  std::string udid;
  std::string service;  // "lockdownd" or a service name handed out by StartService
};

/// Resolves a Connect request (DeviceID, byte-swapped PortNumber) against the simulator.
ConnectTarget resolveConnect(Simulator& sim, plist_t body);

/// Serves the device side of the connection until either end closes it.
/// Takes over `socket` (moved from; the caller keeps it alive until this returns).
Task<void> serveDeviceConnection(Simulator& sim, Socket& socket, const ConnectTarget& target);

}  // namespace sim

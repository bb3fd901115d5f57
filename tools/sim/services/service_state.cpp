// SPDX-License-Identifier: Apache-2.0
#include "service_state.h"

#include "../sim_device.h"

namespace sim {

int ServiceState::post(const std::string& name) {
  int sent = 0;
  std::erase_if(observers, [](const auto& w) { return w.expired(); });
  for (const auto& w : observers) {
    if (auto o = w.lock(); o && o->names.count(name)) {
      o->relay(name);
      ++sent;
    }
  }
  return sent;
}

ServiceState& serviceState(SimDevice& device) {
  if (!device.services) {
    device.services = std::make_shared<ServiceState>();
    AfcNode root{true, ""};
    for (const char* dir : {"/", "/Books", "/DCIM", "/Downloads", "/iTunes_Control",
                            "/iTunes_Control/iTunes", "/Photos", "/PublicStaging"}) {
      device.services->afcFiles[dir] = root;
    }
  }
  return *device.services;
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "sim_device.h"

namespace sim {

plist_t SimDevice::value(const std::string& domain, const std::string& key) const {
  auto it = domains.find(domain);
  if (it == domains.end()) return nullptr;
  if (key.empty()) return it->second.get();
  return plist_dict_get_item(it->second.get(), key.c_str());
}

void SimDevice::setValue(const std::string& domain, const std::string& key, Plist node) {
  Plist& dict = domains[domain];
  if (!dict) dict = newDict();
  plist_dict_set_item(dict.get(), key.c_str(), node.release());
}

uint16_t SimDevice::openService(const std::string& service) {
  // Bounded: a client that starts services and never connects cannot grow this forever.
  if (servicePorts.size() > 64) servicePorts.erase(servicePorts.begin());
  uint16_t port = nextPort;
  nextPort = nextPort >= 65000 ? 49152 : nextPort + 1;
  servicePorts[port] = service;
  return port;
}

std::string SimDevice::takeService(uint16_t port) {
  auto it = servicePorts.find(port);
  if (it == servicePorts.end()) return "";
  std::string s = it->second;
  servicePorts.erase(it);
  return s;
}

bool SimDevice::isIpad() const {
  plist_t pt = value("", "ProductType");
  return pt && describeValue(pt).starts_with("iPad");
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "service.h"

namespace sim {

ServiceMessage takeMessage(Simulator& sim, const SimDevice& device, const std::string& frame,
                           const std::string& service, const char* nameKey, const char* detailKey) {
  ServiceMessage m{parsePlist(frame), ""};
  m.name = dictString(m.plist.get(), nameKey).value_or("");
  sim.events().record({"service", m.name.empty() ? "(malformed)" : m.name, device.spec.udid, "",
                       dictString(m.plist.get(), detailKey).value_or(""), service, "ok"});
  return m;
}

}  // namespace sim

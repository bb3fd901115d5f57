// SPDX-License-Identifier: Apache-2.0
#include "probes/probe_table.h"

#include "probes/facets.h"

namespace ibackupmon {

ProbeResult readTrust(DeviceSession& /*session*/, DeviceSnapshot& snapshot) {
  snapshot.trust = TrustState::Trusted;
  return ProbeResult::ok();
}

ProbeTable makeProbeTable() {
  return {
      {"trust", readTrust},     {"identity", readIdentity},        {"backup", readBackup},
      {"battery", readBattery}, {"storage", readStorage},          {"account", readAccount},
      {"wifi", readWifi},       {"power_source", readPowerSource},
  };
}

}  // namespace ibackupmon

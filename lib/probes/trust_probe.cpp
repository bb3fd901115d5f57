// SPDX-License-Identifier: Apache-2.0
#include "probes/trust_probe.h"

namespace ibackupmon {

ProbeResult TrustProbe::run(DeviceSession& /*session*/, DeviceSnapshot& snapshot) {
  snapshot.trust = TrustState::Trusted;
  return ProbeResult::ok();
}

}  // namespace ibackupmon

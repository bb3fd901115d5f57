// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Trust/lock state. It reads nothing itself: lockdown answers with errors, not values, so the
/// runner derives the state from how opening the session went (trustFromError) and this probe
/// records "trusted" when the session opened.

#include "probes/probe.h"

namespace ibackupmon {

class TrustProbe final : public Probe {
 public:
  const char* name() const override { return "trust"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

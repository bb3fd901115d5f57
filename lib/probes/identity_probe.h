// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Identity: the default lockdown domain (name, model, iOS version, serial, device clock).

#include "probes/probe.h"

namespace ibackupmon {

/// Parses the default domain. The UDID is not taken from the reply (usbmuxd's is authoritative).
Parsed<Identity> parseIdentity(const PlistDict& dict);

class IdentityProbe final : public Probe {
 public:
  const char* name() const override { return "identity"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// iCloud account proxy: com.apple.mobile.data_sync lists data classes with AccountNames.
/// Only a proxy (device-facts.md, Low-Medium): nothing over USB says "needs verification".

#include "probes/probe.h"

namespace ibackupmon {

inline constexpr const char* kDataSyncDomain = "com.apple.mobile.data_sync";

/// icloudSignedIn: true when any data class names the "iCloud" account, false when data classes
/// list accounts but none is iCloud, unknown when no class lists accounts at all.
Expected<AccountInfo> parseAccountInfo(const PlistDict& dict);

class AccountProbe final : public Probe {
 public:
  const char* name() const override { return "account"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

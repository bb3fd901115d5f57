// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Storage: com.apple.disk_usage (capacity and free space, bytes).

#include "probes/probe.h"

namespace ibackupmon {

inline constexpr const char* kStorageDomain = "com.apple.disk_usage";

Parsed<StorageInfo> parseStorageInfo(const PlistDict& dict);

class StorageProbe final : public Probe {
 public:
  const char* name() const override { return "storage"; }
  ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) override;
};

}  // namespace ibackupmon

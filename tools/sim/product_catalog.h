// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Realistic models and iOS releases, and the default lockdown domains built from them.

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "fleet.h"
#include "plist_util.h"

namespace sim {

struct ProductInfo {
  const char* productType;     // "iPhone14,7"
  const char* hardwareModel;   // "D27AP"
  const char* productVersion;  // a release this model runs
  const char* buildVersion;    // the build of that release
  bool outdated;               // the model's release is behind current iOS
};

/// Current models with current releases, then models stuck on older iOS.
std::span<const ProductInfo> productCatalog();

/// Default domains ("" = default domain, com.apple.mobile.backup, .battery, disk_usage,
/// data_sync) for a healthy device; `hash` picks the model, `appleNow` dates the last backup.
std::map<std::string, Plist> defaultDomains(const DeviceSpec& spec, uint64_t hash,
                                            int64_t appleNow);

}  // namespace sim

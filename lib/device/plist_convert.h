// SPDX-License-Identifier: Apache-2.0
#pragma once
/// libplist node -> PlistValue. Internal to lib/device: the one place libplist types meet ours.

#include <plist/plist.h>

#include "device/plist_value.h"

namespace ibackupmon {

/// Limits that keep a hostile device from exhausting memory through a single reply.
inline constexpr int kMaxPlistDepth = 32;
inline constexpr std::size_t kMaxPlistItems = 100000;  ///< nodes in one reply
inline constexpr std::size_t kMaxPlistDataBytes = 1 << 20;

/// Converts a node tree; strings (values and keys) pass through sanitizeDeviceString. Nodes past
/// the limits are dropped (containers truncated), never a crash. A null node becomes monostate.
PlistValue fromPlistNode(plist_t node);

}  // namespace ibackupmon

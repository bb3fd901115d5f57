// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The IORegistry entry in a diagnostics_relay reply, apart from the I/O so it is fuzzed and
/// unit-tested on its own.

#include <optional>

#include "device/plist_value.h"

namespace ibackupmon {

/// The entry of a reply shaped {"IORegistry": {...}}; nullopt when the reply is not a dict, has
/// no IORegistry key, or that key is not a non-empty dict (a device without the entry).
std::optional<PlistDict> ioregistryEntryOf(const PlistValue& reply);

}  // namespace ibackupmon

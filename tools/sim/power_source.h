// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The IORegistry entry of class IOPMPowerSource (AppleSmartBattery) a simulated device serves
/// through diagnostics_relay: realistic defaults per model, overridden by the pseudo-domain
/// kPowerSourceDomain (fleet file `[device.values.IOPMPowerSource]`, ctl `set`).

#include <map>
#include <string>

#include "plist_util.h"

namespace sim {

/// The domain of SimDevice::domains that holds the entry's overrides. Keys are the entry's
/// keys; "BatteryData.FullChargeCapacity" (a dotted key) sets a key of a nested dict; the
/// string value "absent" removes a key the defaults would send.
inline constexpr const char* kPowerSourceDomain = "IOPMPowerSource";

/// The entry for a device with `domains` (the identity picks the model's capacity; the power
/// keys not overridden follow com.apple.mobile.battery, as they do on a real device). A negative
/// InstantAmperage is sent as the unsigned 64-bit two's-complement number iOS sends.
Plist powerSourceEntry(const std::string& udid, const std::map<std::string, Plist>& domains);

/// True when an IORegistry query for `entryName` / `entryClass` asks for this entry.
bool asksForPowerSource(const std::string& entryName, const std::string& entryClass);

}  // namespace sim

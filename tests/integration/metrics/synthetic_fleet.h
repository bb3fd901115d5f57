// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Synthetic fleets for the metrics tests, the fixture binary and the benchmark: plain DeviceStatus
/// rows covering every state the exporter distinguishes, reproducible from their arguments.

#include <cstddef>
#include <string>
#include <vector>

#include "core/fleet_observer.h"

namespace ibackupmon::testing {

/// Condition ids of the diagnosis issue (until lib/diagnosis conditionCatalog() is wired in).
std::vector<std::string> syntheticConditionIds();

/// n devices at time now: device i has udid "00008101-<i as 16 hex digits>" and cycles through
/// ok / stale / critical-stale / unknown backup states, connected and not, known and unknown
/// battery, storage and iCloud switch; attached devices sit in a slot (labelled or not) at high
/// or full link speed; every condition id is open on some device.
FleetView makeSyntheticFleet(std::size_t n, TimePoint now);

/// A device whose strings are hostile: CR/LF, quotes, backslashes, invalid UTF-8, HTML.
DeviceStatus makeHostileDevice(TimePoint now);

/// A healthy, connected device backed up an hour ago.
DeviceStatus makeHealthyDevice(const std::string& udid, TimePoint now);

}  // namespace ibackupmon::testing

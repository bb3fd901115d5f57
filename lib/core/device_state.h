// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One verdict per device and per fleet, with the Nagios exit code `ibackupmonctl status` returns.

#include <string>
#include <vector>

#include "core/condition.h"

namespace ibackupmon {

/// ok < warning < unknown < critical (the order of Nagios/Icinga "worst state").
enum class DeviceState { Ok, Warning, Unknown, Critical };

/// critical: any critical condition; unknown: backup_state unknown (the device could not be read,
/// so it may be worse than it looks); warning: any warning condition or a stale backup; else ok.
DeviceState deviceState(const DeviceStatus& s);
const char* toString(DeviceState s);

/// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Precedence CRITICAL > UNKNOWN > WARNING > OK, and an
/// empty fleet is UNKNOWN (nothing is being checked, which is not "all is well").
int nagiosExitCode(const std::vector<DeviceStatus>& fleet);

/// The one-line summary: the worst condition's summary, or a plain phrase for ok/unknown.
std::string deviceSummary(const DeviceStatus& s);

/// Conditions ordered worst first (then by id), as every renderer shows them.
std::vector<Condition> conditionsWorstFirst(const std::vector<Condition>& conditions);

}  // namespace ibackupmon

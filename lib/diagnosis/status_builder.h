// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Builds the DeviceStatus row from diagnosis input and conditions, and orders the fleet.

#include <vector>

#include "core/condition.h"
#include "diagnosis/diagnosis.h"

namespace ibackupmon {

/// Fills every field of DeviceStatus: name is the configured label, else the label of the slot
/// it is attached at, else DeviceName, else "".
/// Battery and power come only from a snapshot taken while connected (else null); identity,
/// backup and storage fall back to history's last snapshot.
DeviceStatus buildStatus(const DiagnosisInput& in, const DiagnosisConfig& config,
                         std::vector<Condition> conditions, TimePoint now);

/// diagnose() then buildStatus().
DeviceStatus diagnoseStatus(const DiagnosisInput& in, const DiagnosisConfig& config, TimePoint now);

/// Fleet order, worst first: deviceState() (core/device_state.h), then the oldest counted
/// backup (never backed up first), then name, then UDID.
void sortFleet(std::vector<DeviceStatus>& fleet, BackupExpect expect);

}  // namespace ibackupmon

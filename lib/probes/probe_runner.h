// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One probe cycle for one device: open one lockdown session, run every probe through it,
/// collect each probe's outcome. Blocking (runs on a pool thread); touches no shared state.

#include "core/clock.h"
#include "device/device_session.h"
#include "probes/probe_table.h"

namespace ibackupmon {

/// Never throws for device behaviour. When the session cannot be opened, the snapshot carries
/// the trust state the error implies and a single "trust" outcome with the error id.
DeviceSnapshot runProbeCycle(DeviceConnector& connector, const DeviceRef& device,
                             const SessionOptions& options, const ProbeTable& probes,
                             const Clock& clock);

}  // namespace ibackupmon

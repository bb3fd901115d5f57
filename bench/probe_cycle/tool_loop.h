// SPDX-License-Identifier: Apache-2.0
#pragma once
/// (c) What admins script today: `idevice_id -l`, then per device `ideviceinfo -u UDID` and
/// `ideviceinfo -u UDID -q DOMAIN` for the four other domains our probes read, plus
/// `idevicediagnostics -u UDID ioregentry AppleBCMWLANSkywalkInterface` for Wi-Fi; a device whose
/// first ideviceinfo fails is skipped (as `|| continue` would). Each run is a process with its
/// own lockdown session, as in a shell loop.

#include "sim_process.h"

namespace ibackupmon::bench {

/// sample > 0 and below the fleet size: measure `sample` devices spread evenly over the list
/// and extrapolate the wall and CPU time to the whole fleet (LoopResult::measured says so).
LoopResult runToolLoop(const SimProcess& sim, int sample);

}  // namespace ibackupmon::bench

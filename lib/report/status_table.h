// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Human output: the fleet table of `ibackupmonctl status` and the page of `device UDID`.

#include <string>
#include <vector>

#include "core/condition.h"

namespace ibackupmon {

/// One line per device in the given order (the store returns worst first), aligned columns,
/// device strings cleaned for the terminal. `now` is for ages ("9d 4h").
std::string renderStatusTable(const std::vector<DeviceStatus>& fleet, TimePoint now);

/// Everything known about one device, each condition with its evidence and fix.
std::string renderDeviceDetail(const DeviceStatus& s, TimePoint now);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// `ibackupmonctl export --format csv`: one header line, one line per device, RFC 4180 (CRLF).

#include <string>
#include <vector>

#include "core/condition.h"

namespace ibackupmon {

std::string renderStatusCsv(const std::vector<DeviceStatus>& fleet);

}  // namespace ibackupmon

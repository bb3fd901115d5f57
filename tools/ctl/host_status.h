// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Host-level problems for the first lines of `ibackupmonctl status`, read from the alert state
/// the daemon persists (so they show with the daemon stopped too).

#include <string>

#include "ctl_context.h"

namespace ibackupmon::ctl {

struct HostStatus {
  std::string lines;    ///< one line per problem, each ending in '\n'; empty when none
  bool wedged = false;  ///< usbmuxd accepts but answers nothing: device data cannot be current
};

/// Problems are said on stderr and shown as none when the alert state cannot be read.
HostStatus loadHostStatus(const Context& ctx);

}  // namespace ibackupmon::ctl

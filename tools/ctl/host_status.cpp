// SPDX-License-Identifier: Apache-2.0
#include "host_status.h"

#include <ostream>

#include "core/time_format.h"
#include "store/alert_repository.h"

namespace ibackupmon::ctl {

HostStatus loadHostStatus(const Context& ctx) {
  HostStatus out;
  auto path = resolveDatabasePath(ctx.args);
  if (!path) return out;
  auto repo = AlertRepository::openReadOnly(*path);
  auto alerts =
      repo ? repo->loadAlerts() : Expected<std::vector<AlertRecord>>(tl::unexpected(repo.error()));
  if (!alerts) {
    ctx.err << "ibackupmonctl: host alerts not shown: " << alerts.error().message << "\n";
    return out;
  }
  for (const auto& a : *alerts) {
    if (!a.key.udid.empty() || a.key.condition != kUsbmuxdWedgedCondition || a.resolvedAt) {
      continue;
    }
    const std::string since = formatRfc3339(a.openedAt);
    out.wedged = true;
    out.lines += "usbmuxd accepts connections but answers nothing since " + since.substr(11, 5) +
                 " UTC (" + since + "); devices cannot be read: systemctl restart usbmuxd\n";
  }
  return out;
}

}  // namespace ibackupmon::ctl

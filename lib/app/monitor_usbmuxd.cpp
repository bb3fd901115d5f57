// SPDX-License-Identifier: Apache-2.0
// The usbmuxd wedge: what the ping watch says, folded into the fleet view.
#include <spdlog/spdlog.h>

#include "app/monitor.h"

namespace ibackupmon {

void Monitor::onUsbmuxdPing(const UsbmuxdPing& ping) {
  post([this, ping, at = deps_.clock->now()] {
    const bool wedged = ping.result == UsbmuxdPingResult::Silent;
    if (wedged == usbmuxdWedgedSince_.has_value()) return;
    if (wedged) {
      usbmuxdWedgedSince_ = at;
      spdlog::error(
          "usbmuxd accepts connections but answers nothing ({}); devices cannot be read: "
          "systemctl restart usbmuxd",
          ping.detail);
    } else {
      usbmuxdWedgedSince_.reset();
      spdlog::info("usbmuxd is no longer wedged ({})", ping.detail);
    }
    publishSoon();
  });
}

}  // namespace ibackupmon

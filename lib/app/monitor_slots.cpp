// SPDX-License-Identifier: Apache-2.0
// Monitor: where each USB device sits. sysfs is read on a thread of its own (a scan is a few
// hundred small file reads), after every attach and at each housekeeping tick; the strand only
// applies the result. Requests while a scan runs are folded into one more scan after it.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "app/monitor.h"
#include "app/monitor_entry.h"

namespace ibackupmon {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string describe(const std::optional<DeviceSlot>& slot) {
  if (!slot) return "no known slot";
  return slot->port + (slot->label ? " (" + *slot->label + ")" : std::string());
}

}  // namespace

void Monitor::requestUsbScan() {
  if (stopped_) return;
  if (usbScanRunning_) {
    usbScanAgain_ = true;
    return;
  }
  usbScanRunning_ = true;
  // The guarded handler is made here, on the strand: the scan thread never reads the Monitor's
  // members but strand_, which outlives it (sysfsThread_ is joined first).
  auto scan = std::make_shared<UsbPortScan>();
  boost::asio::post(sysfsThread_,
                    [this, scan, root = config_.host.sysfsRoot,
                     apply = guarded([this, scan] { applyUsbScan(std::move(*scan)); })]() mutable {
                      *scan = scanUsbPorts(root);
                      boost::asio::post(strand_, std::move(apply));
                    });
}

void Monitor::applyUsbScan(UsbPortScan scan) {
  usbScanRunning_ = false;
  if (scan.problems != usbProblems_) {
    for (const auto& p : scan.problems) spdlog::warn("usb slots: {}", p);
    usbProblems_ = std::move(scan.problems);
  }
  usbPorts_ = std::move(scan.byUdid);
  std::vector<Entry*> entries;
  for (auto& [udid, e] : devices_) entries.push_back(e.get());
  for (Entry* e : entries) updateSlot(*e);
  if (usbScanAgain_) {
    usbScanAgain_ = false;
    requestUsbScan();
  }
}

void Monitor::updateSlot(Entry& e) {
  std::optional<DeviceSlot> slot;
  if (e.attached() && !e.ref.network) {
    if (auto it = usbPorts_.find(upper(e.udid)); it != usbPorts_.end()) {
      const UsbPort& p = it->second;
      slot = DeviceSlot{p.port, p.path, std::nullopt, p.speedMbps};
      if (const SlotSetting* named = findSlot(config_, p.port, p.path)) slot->label = named->label;
    }
  }
  if (slot == e.slot) return;
  if (slot && (!e.slot || e.slot->port != slot->port)) {
    spdlog::info("device {} is at USB port {}{}", e.udid, describe(slot),
                 e.slot ? ", moved from " + describe(e.slot) : std::string());
  }
  if (slot && slot->speedMbps && (!e.slot || e.slot->speedMbps != slot->speedMbps)) {
    spdlog::log(*slot->speedMbps < kHighSpeedMbps ? spdlog::level::warn : spdlog::level::debug,
                "device {}: USB link at {} Mbit/s", e.udid, formatMbps(*slot->speedMbps));
  }
  const bool moved =
      slot && (!e.slot || e.slot->port != slot->port || e.slot->label != slot->label);
  e.slot = std::move(slot);
  if (moved && !e.pendingName) {
    recordSession({e.udid, SessionEvent::Located, deps_.clock->now(), e.slot->port, e.slot->label});
  }
  if (e.status && !e.pendingName && !isLeaving(e.state)) rediagnose(e);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The two names of a USB port: the kernel's port path ("1-2.3.4", the folder under
/// /sys/bus/usb/devices) and udev's ID_PATH ("pci-0000:00:14.0-usb-0:2.3.4"), which stays the
/// same when adding a controller renumbers the buses; and where a device sits.

#include <optional>
#include <string>
#include <string_view>

namespace ibackupmon {

/// "B-P" or "B-P.P...": a bus number, then one hub port number per level (at most 7, as USB).
bool isUsbPortPath(std::string_view text);

/// "<controller>-usb-0:P.P...", the controller "pci-<address>" or "platform-<name>".
bool isUsbIdPath(std::string_view text);

/// USB high speed (USB 2), in Mbit/s: an iPhone or iPad link below it is a cable or port fault.
inline constexpr double kHighSpeedMbps = 480;

/// A link speed as sysfs writes it: "480", "12", "1.5".
std::string formatMbps(double mbps);

/// Where a USB device is attached now: its port, udev's path of it, the [[slot]] label of that
/// port and the link speed. Network devices have none.
struct DeviceSlot {
  std::string port;                  ///< "1-2.3.4"
  std::string path;                  ///< "pci-0000:00:14.0-usb-0:2.3.4"; empty when not known
  std::optional<std::string> label;  ///< the [[slot]] label of this port, if one names it
  std::optional<double> speedMbps;   ///< absent when sysfs could not tell

  bool operator==(const DeviceSlot&) const = default;
};

}  // namespace ibackupmon

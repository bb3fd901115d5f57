// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Where each USB device sits, read from sysfs. Every USB device is a folder
/// ROOT/bus/usb/devices/<port path> (a link into ROOT/devices/...): the name is the port path
/// ("1-2.3.4": bus 1, then the hub ports), `serial` the iSerial (an Apple device's UDID without
/// its dash), `speed` the negotiated link speed in Mbit/s, `idVendor` the vendor (Apple: 05ac).
/// usbmuxd's LocationID is bus and address, changes on every re-enumeration and is not used.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ibackupmon {

struct UsbPort {
  std::string port;  ///< sysfs port path, "1-2.3.4"
  /// udev's ID_PATH of the device, "pci-0000:00:14.0-usb-0:2.3.4": stable when bus numbers
  /// change; empty when the controller is neither a PCI nor a platform device.
  std::string path;
  std::optional<double> speedMbps;  ///< 1.5, 12, 480, 5000, ...; absent when unreadable

  bool operator==(const UsbPort&) const = default;
};

struct UsbPortScan {
  std::map<std::string, UsbPort> byUdid;  ///< Apple devices only, by UDID (upper case)
  std::vector<std::string> problems;      ///< what could not be read, one line each
};

/// The UDID usbmuxd reports for an iSerial: upper case, and 24 hex digits get a dash after the
/// 8th ("00008030001A..." -> "00008030-001A..."); 40-digit serials stay as they are. Empty when
/// the serial is no UDID at all (not 24 or 40 hex digits).
std::string udidFromUsbSerial(std::string_view serial);

/// The Apple USB devices under sysfsRoot. Never throws: a missing tree gives no devices and one
/// problem; an unreadable device folder is skipped and named in problems.
UsbPortScan scanUsbPorts(const std::filesystem::path& sysfsRoot);

}  // namespace ibackupmon

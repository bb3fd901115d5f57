// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The two names of a USB port: the kernel's port path ("1-2.3.4", the folder under
/// /sys/bus/usb/devices) and udev's ID_PATH ("pci-0000:00:14.0-usb-0:2.3.4"), which stays the
/// same when adding a controller renumbers the buses.

#include <string_view>

namespace ibackupmon {

/// "B-P" or "B-P.P...": a bus number, then one hub port number per level (at most 7, as USB).
bool isUsbPortPath(std::string_view text);

/// "<controller>-usb-0:P.P...", the controller "pci-<address>" or "platform-<name>".
bool isUsbIdPath(std::string_view text);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "device/usb_ports.h"

#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "core/usb_slot.h"
#include "support/sysfs_tree.h"

namespace ibackupmon {
namespace {

using testing::SysfsTree;
using testing::TempDir;

TEST(UsbPorts, SerialBecomesTheUdidUsbmuxdReports) {
  EXPECT_EQ(udidFromUsbSerial("00008030001A1B2C3D4E5F60"), "00008030-001A1B2C3D4E5F60");
  EXPECT_EQ(udidFromUsbSerial("00008030001a1b2c3d4e5f60"), "00008030-001A1B2C3D4E5F60");
  EXPECT_EQ(udidFromUsbSerial("0123456789abcdef0123456789abcdef01234567"),
            "0123456789ABCDEF0123456789ABCDEF01234567");
  for (const char* no : {"", "00008030-001A1B2C3D4E5F6", "00008030001A1B2C3D4E5F6G", "000080300",
                         "00008030001A1B2C3D4E5F60 "}) {
    EXPECT_EQ(udidFromUsbSerial(no), "") << no;
  }
}

TEST(UsbPorts, PortAndIdPathSyntax) {
  for (const char* yes : {"1-2", "1-2.3.4", "12-1.1.1.1.1.1.1"}) EXPECT_TRUE(isUsbPortPath(yes));
  for (const char* no :
       {"", "usb1", "1-", "-2", "1-2.", "1-2..3", "1-2:1.0", "1-a", "1-1.1.1.1.1.1.1.1"}) {
    EXPECT_FALSE(isUsbPortPath(no)) << no;
  }
  for (const char* yes : {"pci-0000:00:14.0-usb-0:2.3.4", "platform-xhci-hcd.0.auto-usb-0:1"}) {
    EXPECT_TRUE(isUsbIdPath(yes)) << yes;
  }
  for (const char* no : {"", "pci-0000:00:14.0", "usb-0:2.3", "pci--usb-0:2",
                         "pci-0000:00:14.0-usb-0:", "acpi-X-usb-0:2", "pci-00 00-usb-0:2"}) {
    EXPECT_FALSE(isUsbIdPath(no)) << no;
  }
}

TEST(UsbPorts, FindsAppleDevicesOnAHubTree) {
  TempDir dir;
  SysfsTree sys(dir.path());
  sys.plug("1-2.3.4", "00008030001A1B2C3D4E5F60");
  sys.plug("1-2.3.5", "0123456789abcdef0123456789abcdef01234567", "12");
  sys.plug("1-2.1", "0000000000000000000000AA", "480", "046d");  // not Apple
  sys.plug("1-2.2", "KEYBOARD", "1.5");                          // Apple, but no UDID
  const UsbPortScan scan = scanUsbPorts(dir.path());
  EXPECT_TRUE(scan.problems.empty()) << scan.problems.front();
  ASSERT_EQ(scan.byUdid.size(), 2u);
  EXPECT_EQ(scan.byUdid.at("00008030-001A1B2C3D4E5F60"),
            (UsbPort{"1-2.3.4", "pci-0000:00:14.0-usb-0:2.3.4", 480.0}));
  EXPECT_EQ(scan.byUdid.at("0123456789ABCDEF0123456789ABCDEF01234567"),
            (UsbPort{"1-2.3.5", "pci-0000:00:14.0-usb-0:2.3.5", 12.0}));
}

TEST(UsbPorts, PlatformControllersAndPlainFoldersGiveTheirPath) {
  TempDir dir;
  SysfsTree arm(dir.path() / "arm", "platform/soc/xhci-hcd.0.auto");
  arm.plug("3-1", "00008030001A1B2C3D4E5F60", "1.5");
  const auto scan = scanUsbPorts(dir.path() / "arm");
  ASSERT_EQ(scan.byUdid.size(), 1u);
  EXPECT_EQ(scan.byUdid.begin()->second.path, "platform-xhci-hcd.0.auto-usb-0:1");
  EXPECT_EQ(scan.byUdid.begin()->second.speedMbps, 1.5);

  SysfsTree odd(dir.path() / "odd", "virtual/thing");
  odd.plug("2-4", "00008030001A1B2C3D4E5F60");
  const auto none = scanUsbPorts(dir.path() / "odd");
  ASSERT_EQ(none.byUdid.size(), 1u);
  EXPECT_EQ(none.byUdid.begin()->second.path, "");  // absent, never made up
  EXPECT_EQ(none.byUdid.begin()->second.port, "2-4");
}

TEST(UsbPorts, UnreadableValuesAreNamedAndNeverGuessed) {
  TempDir dir;
  SysfsTree sys(dir.path());
  sys.plug("1-1", "00008030001A1B2C3D4E5F60", "fast");
  sys.plug("1-2", "00008030001A1B2C3D4E5F61");
  std::filesystem::remove(dir.path() / "bus/usb/devices/1-2/serial");
  sys.plug("1-3", "00008030001A1B2C3D4E5F60");  // the same serial twice
  const auto scan = scanUsbPorts(dir.path());
  ASSERT_EQ(scan.byUdid.size(), 1u);
  const UsbPort& p = scan.byUdid.at("00008030-001A1B2C3D4E5F60");
  EXPECT_EQ(p.port, "1-1");
  EXPECT_EQ(p.speedMbps, std::nullopt);
  ASSERT_EQ(scan.problems.size(), 3u);
  EXPECT_EQ(scan.problems[0], "1-1: no readable link speed");
  EXPECT_EQ(scan.problems[1], "1-2: an Apple device without a readable serial");
  EXPECT_EQ(scan.problems[2], "1-3: 00008030-001A1B2C3D4E5F60 is also at 1-1");
}

TEST(UsbPorts, MissingTreeIsOneProblem) {
  TempDir dir;
  const auto scan = scanUsbPorts(dir.path() / "nowhere");
  EXPECT_TRUE(scan.byUdid.empty());
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_NE(scan.problems[0].find("cannot list "), std::string::npos);
  EXPECT_NE(scan.problems[0].find("nowhere/bus/usb/devices"), std::string::npos);
}

TEST(UsbPorts, UnpluggedDeviceIsGone) {
  TempDir dir;
  SysfsTree sys(dir.path());
  sys.plug("1-2.3.4", "00008030001A1B2C3D4E5F60");
  sys.unplug("1-2.3.4");
  sys.plug("1-2.3.5", "00008030001A1B2C3D4E5F60", "12");
  const auto scan = scanUsbPorts(dir.path());
  ASSERT_EQ(scan.byUdid.size(), 1u);
  EXPECT_EQ(scan.byUdid.begin()->second.port, "1-2.3.5");
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A fixture /sys for tests: USB devices laid out as the kernel does, each a folder under
/// devices/<controller path>/usbB/B-P/B-P.P/... with idVendor, serial and speed, linked from
/// bus/usb/devices/<port path>. Hubs on the way get their own folders (vendor 1d6b, no serial).

#include <filesystem>
#include <fstream>
#include <string>

namespace ibackupmon::testing {

class SysfsTree {
 public:
  /// controller: the folders from devices/ to the USB controller, e.g. "pci0000:00/0000:00:14.0".
  explicit SysfsTree(std::filesystem::path root, std::string controller = "pci0000:00/0000:00:14.0")
      : root_(std::move(root)), controller_(std::move(controller)) {
    std::filesystem::create_directories(root_ / "bus" / "usb" / "devices");
  }

  const std::filesystem::path& root() const { return root_; }

  /// A device at port ("1-2.3.4") with its iSerial and link speed; vendor 05ac unless given.
  void plug(const std::string& port, const std::string& serial, const std::string& speed = "480",
            const std::string& vendor = "05ac") {
    const std::filesystem::path dir = folder(port);
    write(dir / "idVendor", vendor);
    write(dir / "serial", serial);
    write(dir / "speed", speed);
  }

  /// Removes the device at port and its link, as the kernel does on detach.
  void unplug(const std::string& port) {
    std::filesystem::remove(link(port));
    std::filesystem::remove_all(folder(port));
  }

  static void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file) << text << "\n";
  }

 private:
  std::filesystem::path link(const std::string& name) const {
    return root_ / "bus" / "usb" / "devices" / name;
  }

  // Creates devices/<controller>/usbB/B-P/B-P.P/... and the links of each level; the folder of
  // port.
  std::filesystem::path folder(const std::string& port) {
    const std::string bus = port.substr(0, port.find('-'));
    std::filesystem::path dir = root_ / "devices" / controller_ / ("usb" + bus);
    std::filesystem::create_directories(dir);
    ensureLink("usb" + bus, dir);
    std::string name = bus + "-";
    std::string rest = port.substr(port.find('-') + 1);
    for (bool first = true;; first = false) {
      const std::size_t dot = rest.find('.');
      name += (first ? "" : ".") + rest.substr(0, dot);
      dir /= name;
      if (!std::filesystem::exists(dir)) {
        std::filesystem::create_directories(dir);
        write(dir / "idVendor", "1d6b");
        write(dir / "speed", "480");
      }
      ensureLink(name, dir);
      if (dot == std::string::npos) return dir;
      rest = rest.substr(dot + 1);
    }
  }

  void ensureLink(const std::string& name, const std::filesystem::path& target) {
    if (std::filesystem::is_symlink(link(name))) return;
    std::filesystem::create_directory_symlink(
        std::filesystem::relative(target, link(name).parent_path()), link(name));
  }

  std::filesystem::path root_;
  std::string controller_;
};

}  // namespace ibackupmon::testing

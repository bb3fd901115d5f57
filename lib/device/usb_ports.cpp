// SPDX-License-Identifier: Apache-2.0
#include "device/usb_ports.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <system_error>

#include "core/usb_slot.h"

namespace ibackupmon {
namespace {

namespace fs = std::filesystem;

bool isDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool isHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// The first line of a small sysfs attribute, without surrounding blanks; nullopt if unreadable.
std::optional<std::string> readAttribute(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string line(256, '\0');
  in.getline(line.data(), static_cast<std::streamsize>(line.size()));
  if (in.bad()) return std::nullopt;
  line.resize(std::char_traits<char>::length(line.c_str()));
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  line.erase(line.begin(), std::find_if_not(line.begin(), line.end(), blank));
  line.erase(std::find_if_not(line.rbegin(), line.rend(), blank).base(), line.end());
  return line;
}

std::optional<double> parseSpeed(const std::string& text) {
  double mbps = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, mbps);
  if (ec != std::errc() || p != end || !(mbps > 0) || mbps > 1e6) return std::nullopt;
  return mbps;
}

// udev's ID_PATH from the device's real folder, .../<controller>/usbN/<B-P.P>: the nearest
// controller folder above the root hub, named as its bus names it.
std::string idPath(const fs::path& real, std::string_view port) {
  std::vector<std::string> parts;
  for (const auto& part : real) parts.push_back(part.string());
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& hub = parts[i];
    if (hub.size() < 4 || hub.compare(0, 3, "usb") != 0 || !isDigits(hub.substr(3))) continue;
    const std::string& controller = parts[i - 1];
    std::string kind;
    for (std::size_t k = 0; k + 1 < i; ++k) {
      if (parts[k].rfind("pci", 0) == 0) kind = "pci";
      if (parts[k] == "platform" && kind.empty()) kind = "platform";
    }
    if (kind.empty()) return {};
    return kind + "-" + controller + "-usb-0:" + std::string(port.substr(port.find('-') + 1));
  }
  return {};
}

}  // namespace

std::string udidFromUsbSerial(std::string_view serial) {
  if ((serial.size() != 24 && serial.size() != 40) || !isHex(serial)) return {};
  std::string udid(serial);
  std::transform(udid.begin(), udid.end(), udid.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (udid.size() == 24) udid.insert(8, 1, '-');
  return udid;
}

UsbPortScan scanUsbPorts(const fs::path& sysfsRoot) {
  UsbPortScan scan;
  const fs::path devices = sysfsRoot / "bus" / "usb" / "devices";
  std::error_code ec;
  fs::directory_iterator it(devices, ec);
  if (ec) {
    scan.problems.push_back("cannot list " + devices.string() + ": " + ec.message());
    return scan;
  }
  std::vector<fs::path> folders;  // in name order, so that a scan reads the same every time
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      scan.problems.push_back("cannot list " + devices.string() + ": " + ec.message());
      break;
    }
    // Root hubs (usbN) and interfaces (1-2:1.0) are no devices.
    if (isUsbPortPath(it->path().filename().string())) folders.push_back(it->path());
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    const std::string name = folder.filename().string();
    const auto vendor = readAttribute(folder / "idVendor");
    if (!vendor || (*vendor != "05ac" && *vendor != "05AC")) continue;
    const auto serial = readAttribute(folder / "serial");
    if (!serial) {
      scan.problems.push_back(name + ": an Apple device without a readable serial");
      continue;
    }
    const std::string udid = udidFromUsbSerial(*serial);
    if (udid.empty()) continue;  // an Apple accessory, not an iOS device
    UsbPort port{name, {}, std::nullopt};
    if (const auto speed = readAttribute(folder / "speed")) port.speedMbps = parseSpeed(*speed);
    if (!port.speedMbps) scan.problems.push_back(name + ": no readable link speed");
    const fs::path real = fs::canonical(folder, ec);
    if (!ec) port.path = idPath(real, name);
    ec.clear();
    if (!scan.byUdid.emplace(udid, port).second) {
      scan.problems.push_back(name + ": " + udid + " is also at " + scan.byUdid[udid].port);
    }
  }
  return scan;
}

}  // namespace ibackupmon

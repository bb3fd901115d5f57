// SPDX-License-Identifier: Apache-2.0
#include "core/usb_slot.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ibackupmon {
namespace {

bool isDigits(std::string_view s) {
  return !s.empty() && s.size() <= 3 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "P.P.P": one to seven hub port numbers.
bool isPortChain(std::string_view s) {
  int levels = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    if (!isDigits(s.substr(0, dot)) || ++levels > 7) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

}  // namespace

std::string formatMbps(double mbps) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", mbps);  // 480 -> "480", 1.5 -> "1.5"
  return text;
}

bool isUsbPortPath(std::string_view text) {
  const std::size_t dash = text.find('-');
  return dash != std::string_view::npos && isDigits(text.substr(0, dash)) &&
         isPortChain(text.substr(dash + 1));
}

bool isUsbIdPath(std::string_view text) {
  constexpr std::string_view kUsb = "-usb-0:";
  const std::size_t usb = text.rfind(kUsb);
  if (usb == std::string_view::npos || !isPortChain(text.substr(usb + kUsb.size()))) return false;
  const std::string_view controller = text.substr(0, usb);
  for (std::string_view kind : {"pci-", "platform-"}) {
    if (controller.size() > kind.size() && controller.substr(0, kind.size()) == kind) {
      return std::all_of(controller.begin(), controller.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == ':' || c == '.' || c == '-' || c == '_';
      });
    }
  }
  return false;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the simulator's parsers of client input, the usbmuxd packet parser and the lockdownd
// frame/request parser. Byte 0 selects the parser (even: usbmux, odd: lockdown). Fleet files are
// local admin input and left out: toml++ 3.3 asserts on some invalid keys in debug builds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lockdown_packet.h"
#include "usbmux_packet.h"

namespace {

void usbmux(std::string_view in) {
  auto header = sim::parseUsbmuxHeader(in);
  if (!header) return;
  std::string_view payload = in.substr(sim::kUsbmuxHeaderSize);
  auto req = sim::parseUsbmuxPayload(*header, payload);
  if (req) (void)sim::encodeUsbmuxPlist(header->tag, req->body.get());
}

void lockdown(std::string_view in) {
  auto len = sim::parseFrameLength(in);
  if (!len || in.size() < 4) return;
  std::string_view payload = in.substr(4);
  (void)sim::parseLockdownRequest(payload);
  (void)sim::parseFramePlist(payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    usbmux(in);
  } else {
    lockdown(in);
  }
  return 0;
}

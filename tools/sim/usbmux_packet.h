// SPDX-License-Identifier: Apache-2.0
#pragma once
/// usbmuxd wire format: a 16-byte little-endian header (length incl. header, version, message,
/// tag) followed by an XML plist. Pure functions, so the fuzzer can drive them directly.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "plist_util.h"

namespace sim {

constexpr uint32_t kUsbmuxHeaderSize = 16;
constexpr uint32_t kUsbmuxPlistMessage = 8;
constexpr uint32_t kUsbmuxPlistVersion = 1;
/// Real requests are a few hundred bytes (SavePairRecord a few KB); bound memory per client.
constexpr uint32_t kUsbmuxMaxPacket = 256 * 1024;

/// usbmuxd result codes as the real daemon sends them.
enum UsbmuxResult : uint32_t {
  kResultOk = 0,
  kResultBadCommand = 1,
  kResultBadDevice = 2,
  kResultConnRefused = 3,
  kResultBadVersion = 6,
};

struct UsbmuxHeader {
  uint32_t length = 0;
  uint32_t version = 0;
  uint32_t message = 0;
  uint32_t tag = 0;
};

struct UsbmuxRequest {
  std::string messageType;
  Plist body;
};

/// Decodes and checks the 16 header bytes (length within bounds).
ibackupmon::Expected<UsbmuxHeader> parseUsbmuxHeader(std::string_view bytes);
/// Decodes the payload of a plist-protocol packet into its MessageType and body.
/// Error codes: "bad_version" (binary protocol 0 or unknown message), "bad_plist", "no_type".
ibackupmon::Expected<UsbmuxRequest> parseUsbmuxPayload(const UsbmuxHeader& header,
                                                       std::string_view payload);

/// A complete packet carrying `node` as XML (libusbmuxd parses replies with plist_from_xml).
std::string encodeUsbmuxPlist(uint32_t tag, plist_t node);
/// A complete packet around an already serialised XML plist (the cached ListDevices reply).
std::string encodeUsbmuxXml(uint32_t tag, std::string_view xml);
/// A {MessageType: Result, Number: n} packet.
std::string encodeUsbmuxResult(uint32_t tag, uint32_t number);

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "usbmux_packet.h"

namespace sim {
namespace {

uint32_t readLe32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

void appendLe32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

ibackupmon::Expected<UsbmuxHeader> parseUsbmuxHeader(std::string_view bytes) {
  if (bytes.size() < kUsbmuxHeaderSize) {
    return ibackupmon::makeError("short_header", "usbmux header shorter than 16 bytes");
  }
  UsbmuxHeader h{readLe32(bytes, 0), readLe32(bytes, 4), readLe32(bytes, 8), readLe32(bytes, 12)};
  if (h.length < kUsbmuxHeaderSize || h.length > kUsbmuxMaxPacket) {
    return ibackupmon::makeError("bad_length", "usbmux packet length " + std::to_string(h.length) +
                                                   " outside 16.." +
                                                   std::to_string(kUsbmuxMaxPacket));
  }
  return h;
}

ibackupmon::Expected<UsbmuxRequest> parseUsbmuxPayload(const UsbmuxHeader& header,
                                                       std::string_view payload) {
  if (header.version != kUsbmuxPlistVersion || header.message != kUsbmuxPlistMessage) {
    return ibackupmon::makeError("bad_version", "only plist protocol version 1 is served");
  }
  Plist body = parsePlist(payload);
  if (!body || plist_get_node_type(body.get()) != PLIST_DICT) {
    return ibackupmon::makeError("bad_plist", "usbmux payload is not a plist dictionary");
  }
  auto type = dictString(body.get(), "MessageType");
  if (!type) return ibackupmon::makeError("no_type", "usbmux request without MessageType");
  return UsbmuxRequest{std::move(*type), std::move(body)};
}

std::string encodeUsbmuxPlist(uint32_t tag, plist_t node) {
  return encodeUsbmuxXml(tag, toXml(node));
}

std::string encodeUsbmuxXml(uint32_t tag, std::string_view xml) {
  std::string out;
  out.reserve(kUsbmuxHeaderSize + xml.size());
  appendLe32(out, static_cast<uint32_t>(kUsbmuxHeaderSize + xml.size()));
  appendLe32(out, kUsbmuxPlistVersion);
  appendLe32(out, kUsbmuxPlistMessage);
  appendLe32(out, tag);
  out += xml;
  return out;
}

std::string encodeUsbmuxResult(uint32_t tag, uint32_t number) {
  Plist dict = newDict();
  dictSetString(dict.get(), "MessageType", "Result");
  dictSet(dict.get(), "Number", plist_new_uint(number));
  return encodeUsbmuxPlist(tag, dict.get());
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "lockdown_packet.h"

namespace sim {

ibackupmon::Expected<uint32_t> parseFrameLength(std::string_view prefix) {
  if (prefix.size() < 4) return ibackupmon::makeError("short_frame", "frame prefix under 4 bytes");
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<uint8_t>(prefix[i]);
  if (len == 0 || len > kMaxFrame) {
    return ibackupmon::makeError("bad_length", "frame length " + std::to_string(len) +
                                                   " outside 1.." + std::to_string(kMaxFrame));
  }
  return len;
}

ibackupmon::Expected<Plist> parseFramePlist(std::string_view payload) {
  Plist p = parsePlist(payload);
  if (!p) return ibackupmon::makeError("bad_plist", "frame payload is not a plist");
  plist_type t = plist_get_node_type(p.get());
  if (t != PLIST_DICT && t != PLIST_ARRAY) {
    return ibackupmon::makeError("not_container", "frame plist is neither dict nor array");
  }
  return p;
}

std::string encodeFrame(std::string_view payload) {
  std::string out;
  out.reserve(4 + payload.size());
  auto n = static_cast<uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(payload);
  return out;
}

ibackupmon::Expected<LockdownRequest> parseLockdownRequest(std::string_view payload) {
  Plist p = parsePlist(payload);
  if (!p) return ibackupmon::makeError("bad_plist", "lockdown request is not a plist");
  if (plist_get_node_type(p.get()) != PLIST_DICT) {
    return ibackupmon::makeError("not_dict", "lockdown request is not a dictionary");
  }
  auto name = dictString(p.get(), "Request");
  if (!name) return ibackupmon::makeError("no_request", "lockdown request without Request key");
  return LockdownRequest{std::move(*name), std::move(p)};
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// lockdownd and service framing: a 4-byte big-endian length followed by a plist (XML or
/// binary). Pure functions, fuzzed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "plist_util.h"

namespace sim {

/// Requests are small; pair records and SetValue payloads stay well below this.
constexpr uint32_t kMaxFrame = 1024 * 1024;

/// Length from the 4 prefix bytes, or an error when it is zero or above kMaxFrame.
ibackupmon::Expected<uint32_t> parseFrameLength(std::string_view prefix);
/// A request body: must be a plist dictionary (lockdownd) or array (DeviceLink services).
ibackupmon::Expected<Plist> parseFramePlist(std::string_view payload);
/// Length prefix + payload.
std::string encodeFrame(std::string_view payload);

/// A lockdownd request: the Request name plus the parsed dictionary.
struct LockdownRequest {
  std::string name;
  Plist body;
};
/// Error codes: "bad_plist", "not_dict", "no_request".
ibackupmon::Expected<LockdownRequest> parseLockdownRequest(std::string_view payload);

}  // namespace sim

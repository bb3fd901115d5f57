// SPDX-License-Identifier: Apache-2.0
#pragma once
/// libimobiledevice 1.3.0 lockdownd_error_t values -> our stable error ids.

#include <string>

#include "core/error.h"

namespace ibackupmon {

/// Error id for a lockdownd error number, e.g. -17 -> "passcode_locked", -13 -> "get_prohibited".
const char* lockdownErrorId(int lockdownError);

/// An Error naming the operation, the device and the library's number.
Error lockdownError(int lockdownError, const std::string& operation, const std::string& udid);

}  // namespace ibackupmon

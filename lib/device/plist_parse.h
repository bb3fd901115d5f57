// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Property-list text (XML or binary) to a PlistValue, for captured fixtures and fuzzing.
/// Device strings in the result are sanitised exactly as at the live device boundary.

#include <string_view>

#include "core/error.h"
#include "device/plist_value.h"

namespace ibackupmon {

/// Parses an XML or binary plist. Error code "plist_invalid" names what was wrong.
Expected<PlistValue> parsePlist(std::string_view bytes);

/// Parses a plist whose root must be a dict (what lockdownd returns for a domain).
Expected<PlistDict> parsePlistDict(std::string_view bytes);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Owning libplist handles and the few conversions the simulator needs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <plist/plist.h>

namespace sim {

struct PlistDeleter {
  void operator()(void* p) const {
    if (p) plist_free(static_cast<plist_t>(p));
  }
};
/// Owns a plist node tree (plist_t is void*).
using Plist = std::unique_ptr<void, PlistDeleter>;

/// Seconds between the Unix epoch and Apple's 2001-01-01 epoch.
constexpr int64_t kAppleEpochOffset = 978307200;

/// Parses XML or binary plist bytes; nullptr when they are neither.
Plist parsePlist(std::string_view bytes);
std::string toXml(plist_t node);
std::string toBinary(plist_t node);
/// A deep copy. Unlike libplist 2.2's plist_copy (which strdup()s strings but keeps their length),
/// strings holding NUL bytes are copied whole.
Plist copyPlist(plist_t node);
Plist newDict();
/// A plist string holding exactly `bytes`: ESC, invalid UTF-8 and NUL included, as a hostile
/// device sends them. nullptr for bytes with both NUL and invalid UTF-8, which libplist 2.2
/// cannot hold in one string node.
Plist newStringBytes(std::string_view bytes);

/// String value of dict[key] when it is a string.
std::optional<std::string> dictString(plist_t dict, const char* key);
/// Bool value of dict[key] when it is a boolean.
std::optional<bool> dictBool(plist_t dict, const char* key);
/// Unsigned value of dict[key] when it is an integer.
std::optional<uint64_t> dictUint(plist_t dict, const char* key);
void dictSet(plist_t dict, const char* key, plist_t value);
void dictSetString(plist_t dict, const char* key, const std::string& value);
void dictSetUint(plist_t dict, const char* key, uint64_t value);
void dictSetBool(plist_t dict, const char* key, bool value);

/// A one-line rendering of a value for ctl output and the event log.
std::string describeValue(plist_t node);

}  // namespace sim

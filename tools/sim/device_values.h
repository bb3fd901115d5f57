// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Lockdown domains of a simulated device: realistic defaults (real key names and types) plus
/// the fleet file's overrides, and the typed value notation shared by fleet files and ctl.

#include <chrono>
#include <map>
#include <string>

#include "core/error.h"
#include "fleet.h"
#include "plist_util.h"

namespace sim {

using SysTime = std::chrono::system_clock::time_point;

/// Converts a ValueSpec to a plist node. String prefixes:
///   "now"            integer seconds since 2001-01-01 (how backup dates are stored)
///   "ago:DURATION"   the same, DURATION ("9d", "36h", "1h30m") before now
///   "date:UNIX"      a plist <date> at Unix seconds UNIX
///   "date-ago:DUR"   a plist <date> DURATION before now
///   "real:X"  "int:N"  "bool:true"  "string:TEXT"  "data:TEXT" (bytes of TEXT)
///   "string-hex:HEX" a string of exactly the bytes HEX spells (ESC, NUL, invalid UTF-8)
/// Any other string stays a string.
ibackupmon::Expected<Plist> makeValue(const ValueSpec& spec, SysTime now);

/// Parses a ctl argument: true/false -> bool, an integer -> integer, anything else a string
/// (prefixes are interpreted by makeValue).
ValueSpec parseValueText(const std::string& text);

/// A `set` VALUE argument that can travel in JSON: text that is not valid UTF-8 ("string:\xff",
/// or bare bytes) becomes "string-hex:" of its bytes; valid UTF-8 stays as it is.
std::string portableValueText(const std::string& text);

/// Renders a ValueSpec back as text (for --write-fleet and listings).
std::string valueText(const ValueSpec& spec);

/// Domains for `spec`: defaults derived from the UDID, then the spec's overrides; the string
/// "absent" removes a default key.
/// Key "" is the default domain. DevicePublicKey is set to `devicePublicKeyPem`.
ibackupmon::Expected<std::map<std::string, Plist>> buildDomains(
    const DeviceSpec& spec, const std::string& devicePublicKeyPem, SysTime now);

/// The domains a computer backup reads (idevicebackup2's Info.plist): com.apple.iTunes and
/// com.apple.mobile.iTunes (MinITunesVersion), with the keys a current device answers.
void addComputerBackupDomains(std::map<std::string, Plist>& domains);

/// A stable 64-bit hash of a UDID, used for default names and values.
uint64_t udidHash(const std::string& udid);

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The fleet model: what a fleet file (or --generate) says about each simulated device.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "backup_spec.h"
#include "core/duration.h"

namespace sim {

/// A value as written in a fleet file or a ctl command. Strings may carry a type prefix
/// (see makeValue in device_values.h): "ago:9d", "now", "date:UNIX", "real:1.5", "string:x".
using ValueSpec = std::variant<bool, int64_t, double, std::string>;

/// Faults a real device or usbmuxd produces; all off by default.
struct FaultSet {
  bool passcodeLocked = false;  // StartSession -> PasswordProtected (-17)
  bool trustPending = false;    // no pair record; Pair -> PairingDialogResponsePending (-19)
  bool trustDenied = false;     // no pair record; Pair -> UserDeniedPairing (-18)
  bool noPairRecord = false;    // no pair record; Pair succeeds (user taps Trust at once)
  bool invalidHostId = false;   // record present, device rejects it: InvalidHostID (-21)
  bool hang = false;            // lockdownd accepts the connection and never replies
  std::set<std::string> getProhibited;  // domains answering GetProhibited (-13)
  int dropMidSession = 0;               // close the lockdown connection after N requests
  int slowMs = 0;                       // delay every lockdownd/service reply
  int detachDuringSession = 0;          // detach on the first in-session request for N seconds
  // lockdownd replies as binary plists: control characters reach the client as sent (the client
  // turns those of an XML reply into spaces), non-ASCII strings go as UTF-16.
  bool binaryPlist = false;
  // usbmuxd cannot answer ReadPairRecord for the device: it closes the connection instead, as a
  // client sees when usbmuxd is restarting or the client has run out of file descriptors.
  bool pairRecordUnreadable = false;
  // A diagnostics_relay Restart takes the device away for good: it never attaches again (until
  // `ctl attach`), as a device that hangs on boot or runs flat while restarting.
  bool restartNoReturn = false;
  // diagnostics_relay answers one request per connection, then closes it (a client that asks for
  // a second IORegistry entry on the same connection sees it closed).
  bool diagnosticsOneRequest = false;
};

/// One scheduled change, relative to simulator start.
struct TimelineEntry {
  ibackupmon::Duration at{0};
  std::string action;  // attach | detach | set | fault | clear-fault
  std::string domain, key;
  ValueSpec value;
  std::string fault, faultArg;
};

struct DeviceSpec {
  std::string udid;
  std::string situation;  // informative label ("healthy", "icloud_backup_off", ...)
  bool network = false;   // ConnectionType "Network" (Wi-Fi sync) instead of "USB"
  bool attached = true;
  int64_t clockSkewSeconds = 0;  // added to the device clock (TimeIntervalSince1970)
  /// IORegistry class of the Wi-Fi interface ("" = none answers), and its link state.
  std::string wifiInterface = "AppleBCMWLANSkywalkInterface";
  bool wifiAssociated = true;
  /// Signed in to iCloud: data_sync data classes list AccountNames ["iCloud"] (else empty).
  bool icloudAccount = true;
  /// The user has a passcode: after a Restart the device comes back locked before its first
  /// unlock (the passcode_locked fault is set until `ctl fault UDID clear passcode_locked`).
  bool passcode = false;
  /// How long a restarted device stays away before it attaches again (under a new DeviceID).
  int restartSeconds = 3;
  /// domain ("" = default domain) -> key -> value; overrides the generated defaults.
  std::map<std::string, std::map<std::string, ValueSpec>> values;
  FaultSet faults;
  std::vector<TimelineEntry> timeline;
  /// How a computer backup (idevicebackup2) of the device goes: file set, speed, faults.
  BackupSpec backup;
};

struct Fleet {
  std::vector<DeviceSpec> devices;
};

/// Applies a named fault ("passcode_locked", "get_prohibited", "slow_ms", ...) to `faults`.
/// Returns an error message, empty on success.
std::string applyFault(FaultSet& faults, const std::string& name, const std::string& arg);
/// Clears one named fault, or all of them when `name` is empty.
std::string clearFault(FaultSet& faults, const std::string& name);
/// The names of the faults that are set, with their arguments ("slow_ms=200").
std::vector<std::string> describeFaults(const FaultSet& faults);

}  // namespace sim

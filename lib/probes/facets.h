// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The facets the probes read, one <facet>_probe.cpp each: the domain a facet reads, its parse
/// function (tested on its own against recorded replies) and the read function probe_table.cpp
/// lists. A parse function keeps every usable key; a value of the wrong type or out of range is
/// an InvalidValue and the other keys still count.

#include "probes/probe.h"

namespace ibackupmon {

/// Trust/lock state. It reads nothing itself: lockdown answers with errors, not values, so the
/// runner derives the state from how opening the session went (trustFromError) and this records
/// "trusted" when the session opened.
ProbeResult readTrust(DeviceSession& session, DeviceSnapshot& snapshot);

/// Identity: the default lockdown domain (name, model, iOS version, serial, device clock). The
/// UDID is not taken from the reply (usbmuxd's is authoritative).
Parsed<Identity> parseIdentity(const PlistDict& dict);
ProbeResult readIdentity(DeviceSession& session, DeviceSnapshot& snapshot);

/// Backup facts: iCloud switch, last iCloud and computer backups. Dates may be integer or real
/// seconds since 2001 or plist dates; RequiresEncryption int or bool.
inline constexpr const char* kBackupDomain = "com.apple.mobile.backup";
Parsed<BackupFacts> parseBackupFacts(const PlistDict& dict);
ProbeResult readBackup(DeviceSession& session, DeviceSnapshot& snapshot);

/// Power: charge level, external power, charging. BatteryCurrentCapacity outside 0..100 is an
/// invalid value (unknown level), naming the value.
inline constexpr const char* kBatteryDomain = "com.apple.mobile.battery";
Parsed<BatteryInfo> parseBatteryInfo(const PlistDict& dict);
ProbeResult readBattery(DeviceSession& session, DeviceSnapshot& snapshot);

/// Storage: capacity and free space, bytes.
inline constexpr const char* kStorageDomain = "com.apple.disk_usage";
Parsed<StorageInfo> parseStorageInfo(const PlistDict& dict);
ProbeResult readStorage(DeviceSession& session, DeviceSnapshot& snapshot);

/// iCloud account proxy: the data classes list AccountNames. Only a proxy, of low to medium
/// confidence: nothing over USB says "needs verification". icloudSignedIn: true when any data
/// class names the "iCloud" account, false when data classes list accounts but none is iCloud,
/// unknown when no class lists accounts at all.
inline constexpr const char* kDataSyncDomain = "com.apple.mobile.data_sync";
Expected<AccountInfo> parseAccountInfo(const PlistDict& dict);
ProbeResult readAccount(DeviceSession& session, DeviceSnapshot& snapshot);

/// Wi-Fi association, best effort: the IORegistry entry of the Wi-Fi interface through
/// diagnostics_relay (AppleBCMWLANSkywalkInterface, else class IO80211Interface). Works on some
/// devices only: anything not positively seen is WifiState::Unknown.
/// parseWifiState reads IOLinkStatus (IONetworkInterface bits: 1 = valid, 2 = active) and, as a
/// second sign, a non-empty IO80211SSID.
inline constexpr const char* kWifiEntryName = "AppleBCMWLANSkywalkInterface";
inline constexpr const char* kWifiEntryClass = "IO80211Interface";
WifiState parseWifiState(const PlistDict& entry);
ProbeResult readWifi(DeviceSession& session, DeviceSnapshot& snapshot);

/// Battery wear and the power path: the IORegistry entry of class IOPMPowerSource, queried by
/// class alone, in the same session as the Wi-Fi entry. Absent keys stay unknown; a key of the
/// wrong type or out of range is an InvalidValue. InstantAmperage may come as the unsigned 64-bit
/// two's complement of a negative current (the integer conversion already makes it negative).
inline constexpr const char* kPowerSourceClass = "IOPMPowerSource";
Parsed<PowerSourceInfo> parsePowerSource(const PlistDict& entry);
ProbeResult readPowerSource(DeviceSession& session, DeviceSnapshot& snapshot);

}  // namespace ibackupmon

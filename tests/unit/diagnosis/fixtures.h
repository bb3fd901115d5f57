// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fixture devices for diagnosis tests: a healthy device and small edits of it.

#include <algorithm>
#include <chrono>

#include "core/time_format.h"
#include "diagnosis/diagnosis.h"

namespace ibackupmon::testing {

using std::chrono::hours;
using std::chrono::minutes;

inline TimePoint fixtureNow() {
  return *parseRfc3339("2026-11-24T00:00:00Z");
}
inline std::chrono::hours days(int n) {
  return hours(24 * n);
}

inline constexpr const char* kUdid = "00008030-000A1B2C3D4E5F60";

/// A connected, trusted, readable device that backed up to iCloud 10 hours ago.
inline DiagnosisInput healthyDevice(TimePoint now = fixtureNow()) {
  DiagnosisInput in;
  in.udid = kUdid;
  DeviceSnapshot s;
  s.identity.udid = kUdid;
  s.identity.name = "Cart 1 Slot 3";
  s.identity.productType = "iPhone13,2";
  s.identity.productVersion = "18.1";
  s.identity.serial = "F2LXK0ABCDEF";
  s.identity.deviceClock = now;
  s.takenAt = now;
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.backup = BackupFacts{};
  s.backup->cloudBackupEnabled = true;
  s.backup->lastCloudBackup = now - hours(10);
  s.backup->lastCloudBackupTz = "GMT-4";
  s.backup->requiresEncryption = false;
  s.backup->version = "2.0";
  s.battery = BatteryInfo{80, true, true, true, false, true};
  s.storage = StorageInfo{};
  s.storage->totalDataCapacity = 64ull << 30;
  s.storage->totalDataAvailable = 20ull << 30;
  s.account = AccountInfo{true, {"iCloud"}};
  s.wifi = WifiState::Associated;
  for (const char* p : {"identity", "backup", "battery", "storage", "account", "wifi"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Ok, "", "", 0.01});
  }
  in.snapshot = s;
  in.history.udid = kUdid;
  in.history.firstSeen = now - days(30);
  in.history.lastSeen = now;
  in.history.connected = true;
  in.history.lastCloudBackup = s.backup->lastCloudBackup;
  in.history.lastGoodProbe = now;
  in.history.lastSnapshot = s;
  return in;
}

/// Sets the last iCloud backup everywhere it is remembered.
inline void setLastCloudBackup(DiagnosisInput& in, std::optional<TimePoint> t) {
  in.snapshot->backup->lastCloudBackup = t;
  in.history.lastCloudBackup = t;
  if (in.history.lastSnapshot && in.history.lastSnapshot->backup) {
    in.history.lastSnapshot->backup->lastCloudBackup = t;
  }
}

inline void setLastComputerBackup(DiagnosisInput& in, std::optional<TimePoint> t) {
  in.snapshot->backup->lastComputerBackup = t;
  in.history.lastComputerBackup = t;
  if (in.history.lastSnapshot && in.history.lastSnapshot->backup) {
    in.history.lastSnapshot->backup->lastComputerBackup = t;
  }
}

/// Sets CloudBackupEnabled in the latest and the remembered snapshot.
inline void setCloudEnabled(DiagnosisInput& in, std::optional<bool> on) {
  in.snapshot->backup->cloudBackupEnabled = on;
  if (in.history.lastSnapshot) in.history.lastSnapshot->backup->cloudBackupEnabled = on;
}

/// The device answers lockdown only with an error state: no values this cycle.
inline void makeUnreadable(DiagnosisInput& in, TrustState trust) {
  DeviceSnapshot s;
  s.identity.udid = kUdid;
  s.takenAt = in.snapshot->takenAt;
  s.connected = true;
  s.trust = trust;
  s.probes.push_back(ProbeOutcome{"identity", ProbeStatus::NoData, toString(trust), "", 0.01});
  in.snapshot = s;
}

inline DiagnosisConfig defaultConfig() {
  return DiagnosisConfig{};
}

/// The condition with this id, if the diagnosis raised it.
inline std::optional<Condition> conditionIn(const std::vector<Condition>& cs,
                                            const std::string& id) {
  auto it = std::find_if(cs.begin(), cs.end(), [&](const Condition& c) { return c.id == id; });
  if (it == cs.end()) return std::nullopt;
  return *it;
}

}  // namespace ibackupmon::testing

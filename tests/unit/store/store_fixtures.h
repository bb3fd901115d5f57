// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Builders for snapshots, conditions and statuses used by the store tests.

#include <string>

#include "core/condition.h"
#include "core/snapshot.h"

namespace ibackupmon::testing {

inline TimePoint at(long long unixSeconds) {
  return fromUnixSeconds(unixSeconds);
}

/// A fully read device on power; vary the fields a test is about.
inline DeviceSnapshot snapshot(const std::string& udid, long long t, int battery = 81) {
  DeviceSnapshot s;
  s.identity.udid = udid;
  s.identity.name = "iPad " + udid;
  s.identity.productType = "iPad13,1";
  s.identity.productVersion = "17.5.1";
  s.identity.serial = "SER" + udid;
  s.identity.deviceClock = at(t + 1);
  s.takenAt = at(t);
  s.connected = true;
  s.trust = TrustState::Trusted;
  s.backup = BackupFacts{};
  s.backup->cloudBackupEnabled = true;
  s.battery = BatteryInfo{};
  s.battery->level = battery;
  s.battery->externalConnected = true;
  s.storage = StorageInfo{};
  s.storage->totalDataCapacity = 64ull << 30;
  s.storage->totalDataAvailable = (10ull << 30) + 12345;
  s.probes.push_back(ProbeOutcome{"identity", ProbeStatus::Ok, "", "", 0.01});
  return s;
}

inline Condition condition(const std::string& id, Severity sev, long long since) {
  Condition c;
  c.id = id;
  c.severity = sev;
  c.since = at(since);
  c.evidence = {{"key", "value of " + id}};
  c.summary = id + " summary";
  c.fix = "fix " + id;
  return c;
}

inline DeviceStatus status(const std::string& udid, BackupState state,
                           std::vector<Condition> conditions = {}) {
  DeviceStatus s;
  s.udid = udid;
  s.name = "iPad " + udid;
  s.productType = "iPad13,1";
  s.iosVersion = "17.5.1";
  s.connected = true;
  s.lastSeen = at(1'700'000'000);
  s.backupState = state;
  s.batteryLevel = 55;
  s.onPower = true;
  s.icloudBackupEnabled = true;
  s.conditions = std::move(conditions);
  return s;
}

}  // namespace ibackupmon::testing

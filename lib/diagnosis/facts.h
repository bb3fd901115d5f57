// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What diagnosis knows about a device, merged from the latest snapshot and history. Internal to
/// lib/diagnosis: rules and the status builder read facts only through these helpers.

#include <optional>
#include <string>

#include "diagnosis/diagnosis.h"

namespace ibackupmon::facts {

/// A section of a snapshot and where it came from. A fact read in an earlier cycle (history's
/// last snapshot) is still shown, with its observation time as evidence.
template <class T>
struct Fact {
  const T* value = nullptr;
  const DeviceSnapshot* from = nullptr;
  bool fromHistory = false;
  explicit operator bool() const { return value != nullptr; }
  const T* operator->() const { return value; }
};

/// The latest snapshot when it was taken while connected; nullptr otherwise.
const DeviceSnapshot* live(const DiagnosisInput& in);

/// Attached now: usbmuxd lists it (history) or the latest snapshot was taken while connected.
bool attached(const DiagnosisInput& in);

/// Sticky sections: the latest snapshot's, else history's last snapshot's.
Fact<BackupFacts> backup(const DiagnosisInput& in);
Fact<StorageInfo> storage(const DiagnosisInput& in);
Fact<AccountInfo> account(const DiagnosisInput& in);

/// An identity field from the latest snapshot, else from history's last snapshot.
std::optional<std::string> identityField(const DiagnosisInput& in,
                                         std::optional<std::string> Identity::*field);

/// The last backup dates the device reported: the latest snapshot's, else history's, else the
/// last snapshot's. An older date than before replaces the newer one (restored, corrected).
std::optional<TimePoint> newestCloudBackup(const DiagnosisInput& in);
std::optional<TimePoint> newestComputerBackup(const DiagnosisInput& in);

/// True once the backup domain has answered with any value, in this cycle or an earlier one.
bool backupDomainRead(const DiagnosisInput& in);

/// First time this device was seen: history, else the oldest snapshot time at hand.
std::optional<TimePoint> firstSeen(const DiagnosisInput& in);

/// Free bytes: TotalDataAvailable, else AmountDataAvailable.
std::optional<std::uint64_t> availableBytes(const StorageInfo& s);

/// The battery's IORegistry entry: the latest snapshot's, else history's last snapshot's.
Fact<PowerSourceInfo> powerSource(const DiagnosisInput& in);

/// Power and charging as one snapshot says: the battery domain (com.apple.mobile.battery) wins
/// where it has a value, the IORegistry entry fills what it lacks.
struct Power {
  std::optional<int> level;  ///< percent
  std::optional<bool> externalConnected;
  std::optional<bool> charging;
  std::optional<bool> fullyCharged;
};
Power power(const DeviceSnapshot& s);

/// The probe before the latest one, when the latest is live and history has both: for rules
/// that need a reading on two probes in a row. nullptr otherwise.
const DeviceSnapshot* previousProbe(const DiagnosisInput& in);

/// "true" / "false" / "absent" for evidence.
std::string boolText(const std::optional<bool>& b);

}  // namespace ibackupmon::facts

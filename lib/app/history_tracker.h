// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Keeps a DeviceHistory current between probe cycles, in memory, the way the store rebuilds it
/// at start-up (loadAllHistories): pure functions, unit-tested.

#include <vector>

#include "core/condition.h"
#include "core/duration.h"
#include "core/history.h"
#include "core/snapshot.h"

namespace ibackupmon {

/// usbmuxd listed the device.
void noteAttached(DeviceHistory& h, TimePoint at);
/// usbmuxd no longer lists the device (or went away itself).
void noteDetached(DeviceHistory& h, TimePoint at);
/// A probe cycle finished. A cycle that read the device (cycleSucceeded) is good: it resets the
/// failure count and becomes lastSnapshot; any other cycle counts as a failure. A reported backup
/// date replaces the remembered one, older or newer (the device's report is the truth); a cycle
/// without a date never forgets a backup seen before. Run setAsideFutureDates first.
void noteProbe(DeviceHistory& h, const DeviceSnapshot& s);
/// Diagnosis result: remembers when each active condition opened.
void noteConditions(DeviceHistory& h, const std::vector<Condition>& active);

/// True when the cycle read the device: the lockdown session opened and at least one read
/// answered. A session whose every read failed is a failed cycle.
bool cycleSucceeded(const DeviceSnapshot& s);

/// Backup dates later than the time of the read (takenAt) plus clockSkew cannot be real: they
/// move to BackupFacts::futureCloudBackup / futureComputerBackup, so they are never remembered
/// or stored as a backup, and diagnosis reports them (backup_date_in_future).
void setAsideFutureDates(DeviceSnapshot& s, Duration clockSkew);

}  // namespace ibackupmon

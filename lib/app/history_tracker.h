#pragma once
/// Keeps a DeviceHistory current between probe cycles, in memory, the way the store rebuilds it
/// at start-up (loadAllHistories): pure functions, unit-tested.

#include <vector>

#include "core/condition.h"
#include "core/history.h"
#include "core/snapshot.h"

namespace ibackupmon {

/// usbmuxd listed the device.
void noteAttached(DeviceHistory& h, TimePoint at);
/// usbmuxd no longer lists the device (or went away itself).
void noteDetached(DeviceHistory& h, TimePoint at);
/// A probe cycle finished. A cycle whose lockdown session opened is good (resets the failure
/// count, becomes lastSnapshot); any other cycle counts as a failure. Backup dates only move
/// forward: an unreadable cycle never forgets a backup seen before.
void noteProbe(DeviceHistory& h, const DeviceSnapshot& s);
/// Diagnosis result: remembers when each active condition opened.
void noteConditions(DeviceHistory& h, const std::vector<Condition>& active);

/// True when the cycle reached the device (the lockdown session opened).
bool sessionOpened(const DeviceSnapshot& s);

}  // namespace ibackupmon

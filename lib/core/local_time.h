// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The host's local time (the process's TZ), for the policies an admin writes in wall-clock
/// terms: remediation and local backup windows, the daily digest's hour.

#include "core/clock.h"

namespace ibackupmon {

/// Minutes since local midnight of `t`, 0..1439.
int localMinuteOfDay(TimePoint t);

/// The first moment after `after` whose local time is hour:00:00 (daylight saving time
/// followed: on a change day the hour may be 23 or 25 hours after the previous one).
TimePoint nextLocalHour(TimePoint after, int hour);

}  // namespace ibackupmon

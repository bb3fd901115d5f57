// SPDX-License-Identifier: Apache-2.0
#include "app/history_tracker.h"

namespace ibackupmon {
namespace {

// The device's report is the truth about its last backup: a date older than the remembered one
// (restored, erased, a bad date corrected) replaces it; a cycle without a date forgets nothing.
void takeReported(std::optional<TimePoint>& field, const std::optional<TimePoint>& seen) {
  if (seen) field = seen;
}

void setAside(std::optional<TimePoint>& date, std::optional<TimePoint>& future, TimePoint latest) {
  if (date && *date > latest) {
    future = date;
    date.reset();
  }
}

}  // namespace

void noteAttached(DeviceHistory& h, TimePoint at) {
  h.connected = true;
  if (!h.firstSeen) h.firstSeen = at;
  h.lastSeen = at;
}

void noteDetached(DeviceHistory& h, TimePoint at) {
  if (h.connected) h.lastSeen = at;
  h.connected = false;
}

bool cycleSucceeded(const DeviceSnapshot& s) {
  return deviceAnswered(s);
}

void setAsideFutureDates(DeviceSnapshot& s, Duration clockSkew) {
  if (!s.backup) return;
  const TimePoint latest = s.takenAt + clockSkew;
  setAside(s.backup->lastCloudBackup, s.backup->futureCloudBackup, latest);
  setAside(s.backup->lastComputerBackup, s.backup->futureComputerBackup, latest);
}

void noteProbe(DeviceHistory& h, const DeviceSnapshot& s) {
  if (h.udid.empty()) h.udid = s.identity.udid;
  if (!h.firstSeen) h.firstSeen = s.takenAt;
  h.lastSeen = s.takenAt;
  if (s.backup) {
    takeReported(h.lastCloudBackup, s.backup->lastCloudBackup);
    takeReported(h.lastComputerBackup, s.backup->lastComputerBackup);
  }
  if (cycleSucceeded(s)) {
    h.lastGoodProbe = s.takenAt;
    h.consecutiveProbeFailures = 0;
    h.probeFailingSince.reset();
    h.previousSnapshot = std::move(h.lastSnapshot);
    h.lastSnapshot = s;
  } else {
    if (h.consecutiveProbeFailures++ == 0) h.probeFailingSince = s.takenAt;
  }
}

void noteConditions(DeviceHistory& h, const std::vector<Condition>& active) {
  std::map<std::string, TimePoint> open;
  for (const auto& c : active) {
    auto it = h.openConditions.find(c.id);
    open[c.id] = it != h.openConditions.end() ? it->second : c.since;
  }
  h.openConditions = std::move(open);
}

}  // namespace ibackupmon

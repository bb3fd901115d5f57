#include "app/history_tracker.h"

namespace ibackupmon {
namespace {

void advance(std::optional<TimePoint>& field, const std::optional<TimePoint>& seen) {
  if (seen && (!field || *seen > *field)) field = seen;
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

bool sessionOpened(const DeviceSnapshot& s) {
  return s.trust == TrustState::Trusted;
}

void noteProbe(DeviceHistory& h, const DeviceSnapshot& s) {
  if (h.udid.empty()) h.udid = s.identity.udid;
  if (!h.firstSeen) h.firstSeen = s.takenAt;
  h.lastSeen = s.takenAt;
  if (s.backup) {
    advance(h.lastCloudBackup, s.backup->lastCloudBackup);
    advance(h.lastComputerBackup, s.backup->lastComputerBackup);
  }
  if (sessionOpened(s)) {
    h.lastGoodProbe = s.takenAt;
    h.consecutiveProbeFailures = 0;
    h.probeFailingSince.reset();
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

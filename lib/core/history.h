// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What the store remembers about a device between probe cycles: the input, with the latest
/// snapshot, that diagnosis needs to say "since when".

#include <map>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/snapshot.h"

namespace ibackupmon {

struct DeviceHistory {
  std::string udid;
  std::optional<TimePoint> firstSeen;
  std::optional<TimePoint> lastSeen;  ///< last time usbmuxd listed it or a probe reached it
  bool connected = false;
  std::optional<TimePoint> lastCloudBackup;     ///< last reported (survives unreadable cycles)
  std::optional<TimePoint> lastComputerBackup;  ///< last reported
  std::optional<TimePoint> lastGoodProbe;       ///< last cycle that read the device
  int consecutiveProbeFailures = 0;
  std::optional<TimePoint> probeFailingSince;
  std::map<std::string, TimePoint> openConditions;  ///< condition id -> since
  std::optional<DeviceSnapshot> lastSnapshot;       ///< newest snapshot with any data
  /// The one lastSnapshot replaced: with it, a rule can ask for a reading on two probes in a row.
  /// Not stored: after a restart two new probes are needed.
  std::optional<DeviceSnapshot> previousSnapshot;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Seam between the monitor (lib/app) and its consumers (metrics, alerts). The monitor calls these
/// on its strand after state changes; implementations must not block.
///
///   class MyExporter final : public FleetObserver {
///     void onFleetStatus(const FleetView& v) override { /* copy what you need */ }
///   };

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/condition.h"
#include "core/snapshot.h"

namespace ibackupmon {

/// What remediation (docs/remediation.md) is set to do, and what it recorded since the daemon
/// started.
struct RemediationView {
  bool enableIcloudBackup = false;
  bool restart = false;
  bool localBackup = false;
  bool dryRun = false;
  bool paused = false;
  /// Audit rows finished since start: (action, result) -> count, e.g. ("restart", "done").
  std::map<std::pair<std::string, std::string>, std::uint64_t> actions;
};

/// Local safety-net backups (docs/local-backup.md), for the metrics.
struct LocalBackupView {
  int running = 0;
  std::optional<std::uint64_t> volumeFreeBytes;  ///< of the backup directory's file system
  struct Device {
    std::optional<TimePoint> lastSuccess;  ///< the newest finished local backup
    std::optional<std::uint64_t> bytes;    ///< its size
    std::optional<int> percent;            ///< while a run goes: idevicebackup2's progress, 0..100
  };
  std::map<std::string, Device> devices;  ///< by UDID
};

struct FleetView {
  std::vector<DeviceStatus> devices;  ///< every device not forgotten, worst first
  bool usbmuxdUp = false;
  /// Set while usbmuxd accepts connections but answers nothing: since when (first silent ping).
  std::optional<TimePoint> usbmuxdWedgedSince;
  RemediationView remediation;
  LocalBackupView localBackup;
  TimePoint at{};
};

class FleetObserver {
 public:
  virtual ~FleetObserver() = default;
  /// The whole fleet after a change (probe finished, attach/detach, periodic re-diagnosis).
  virtual void onFleetStatus(const FleetView& view) = 0;
  /// One probe's outcome, for duration histograms and error counters.
  virtual void onProbeOutcome(const ProbeOutcome& /*outcome*/) {}
  /// A worker thread stuck in libimobiledevice was given up on.
  virtual void onWorkerAbandoned(const std::string& /*udid*/) {}
};

}  // namespace ibackupmon

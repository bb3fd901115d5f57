// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Seam between the monitor (lib/app) and its consumers (metrics, alerts). The monitor calls these
/// on its strand after state changes; implementations must not block.
///
///   class MyExporter final : public FleetObserver {
///     void onFleetStatus(const FleetView& v) override { /* copy what you need */ }
///   };

#include <optional>
#include <vector>

#include "core/condition.h"
#include "core/snapshot.h"

namespace ibackupmon {

struct FleetView {
  std::vector<DeviceStatus> devices;  ///< every device not forgotten, worst first
  bool usbmuxdUp = false;
  /// Set while usbmuxd accepts connections but answers nothing: since when (first silent ping).
  std::optional<TimePoint> usbmuxdWedgedSince;
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

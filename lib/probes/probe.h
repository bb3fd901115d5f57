// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One probe reads one facet of a device through a DeviceSession into the snapshot.
/// Implement it in lib/probes/<facet>_probe.{h,cpp} and add one line to probe_table.cpp:
///
///   class BatteryProbe final : public Probe {
///    public:
///     const char* name() const override { return "battery"; }
///     ProbeResult run(DeviceSession& s, DeviceSnapshot& snap) override {
///       auto dict = s.getDomain("com.apple.mobile.battery");
///       if (!dict) return ProbeResult::fromReadError(dict.error());
///       auto info = parseBatteryInfo(*dict);
///       snap.battery = std::move(info.value);
///       return ProbeResult::ok(std::move(info.invalid));
///     }
///   };

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/snapshot.h"
#include "device/device_session.h"

namespace ibackupmon {

/// What run() reports; the runner adds the probe name and the duration.
struct ProbeResult {
  ProbeStatus status = ProbeStatus::Ok;
  std::string error;  ///< errc id when not ok
  std::string detail;
  std::vector<InvalidValue> invalid{};  ///< values read but unusable; the rest of the domain counts

  static ProbeResult ok(std::vector<InvalidValue> invalid = {}) {
    ProbeResult r;
    r.invalid = std::move(invalid);
    return r;
  }
  static ProbeResult noData(const Error& e) { return {ProbeStatus::NoData, e.code, e.message}; }
  static ProbeResult failed(const Error& e) { return {ProbeStatus::Error, e.code, e.message}; }
  /// A GetValue failure: prohibited domains and a locked device are "no data", the rest errors.
  static ProbeResult fromReadError(const Error& e);
};

class Probe {
 public:
  virtual ~Probe() = default;
  /// Stable id used in metrics labels and ProbeOutcome::probe.
  virtual const char* name() const = 0;
  /// Reads through the session and fills its part of the snapshot; never throws for device data.
  virtual ProbeResult run(DeviceSession& session, DeviceSnapshot& snapshot) = 0;
};

/// What a parse function read from one domain: the usable keys, and the values that were not.
template <class T>
struct Parsed {
  T value;
  std::vector<InvalidValue> invalid;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One probe reads one facet of a device through a DeviceSession into the snapshot. A facet is a
/// parse and a read function in lib/probes/<facet>_probe.cpp, declared in facets.h and listed in
/// probe_table.cpp; a facet that reads one lockdown domain is readDomain():
///
///   ProbeResult readBattery(DeviceSession& s, DeviceSnapshot& snap) {
///     return readDomain(s, kBatteryDomain, parseBatteryInfo, snap.battery);
///   }

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/snapshot.h"
#include "device/device_session.h"

namespace ibackupmon {

/// What a probe reports; the runner adds the probe name and the duration.
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

struct Probe {
  /// Stable id used in metrics labels and ProbeOutcome::probe.
  const char* name;
  /// Reads through the session and fills its part of the snapshot; never throws for device data.
  ProbeResult (*run)(DeviceSession& session, DeviceSnapshot& snapshot);
};

/// What a parse function read from one domain: the usable keys, and the values that were not.
template <class T>
struct Parsed {
  T value;
  std::vector<InvalidValue> invalid;
};

/// Reads one lockdown domain ("" for the default one) and parses it into `into` (a T or an
/// optional T), which a failed read leaves as it was.
template <class T, class Into>
ProbeResult readDomain(DeviceSession& session, const char* domain,
                       Parsed<T> (*parse)(const PlistDict&), Into& into) {
  auto dict = session.getDomain(domain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto parsed = parse(*dict);
  into = std::move(parsed.value);
  return ProbeResult::ok(std::move(parsed.invalid));
}

}  // namespace ibackupmon

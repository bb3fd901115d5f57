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
///       if (!info) return ProbeResult::failed(info.error());
///       snap.battery = *info;
///       return ProbeResult::ok();
///     }
///   };

#include <optional>
#include <string>

#include "core/error.h"
#include "core/snapshot.h"
#include "device/device_session.h"

namespace ibackupmon {

/// What run() reports; the runner adds the probe name and the duration.
struct ProbeResult {
  ProbeStatus status = ProbeStatus::Ok;
  std::string error;  ///< errc id when not ok
  std::string detail;

  static ProbeResult ok() { return {}; }
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

/// Collects typed field reads, keeping the first error (parse functions report one clear error).
class ParseState {
 public:
  template <class T>
  void take(std::optional<T>& out, Expected<std::optional<T>> read) {
    if (read) {
      out = std::move(*read);
    } else if (!error_) {
      error_ = read.error();
    }
  }
  template <class T>
  Expected<T> finish(T value) const {
    if (error_) return tl::unexpected(*error_);
    return value;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace ibackupmon

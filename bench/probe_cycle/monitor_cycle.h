// SPDX-License-Identifier: Apache-2.0
#pragma once
/// (a) One full probe cycle of the daemon's own code path, in process: the same parts
/// MonitorComponent wires (UsbmuxdEvents + DeviceWatcher -> Monitor on an Asio strand ->
/// ProbePool workers running the probe table through LockdownConnector -> diagnosis -> Store).
/// Timed from the watcher's start (first ListDevices) until every USB device's first cycle is
/// recorded and diagnosed.

#include <chrono>
#include <string>

#include "sim_process.h"

namespace ibackupmon::bench {

struct MonitorCycleOptions {
  int concurrency = 8;    ///< probe.concurrency
  std::string storePath;  ///< SQLite file; empty = null store
  int deadlineSeconds = 1800;
  std::chrono::milliseconds commitDelay{0};  ///< added to every store write (a slow disk)
};

/// Throws std::runtime_error when the store cannot be opened or the cycle does not finish.
LoopResult runMonitorCycle(const MonitorCycleOptions& options, const SimProcess& sim);

/// A cart plugged in at once while the known fleet is being re-probed: `cart` readable devices
/// are unplugged first; the daemon's path reads the rest once, then re-probes them every
/// `intervalSeconds` (short, so re-probes are always due), and after one such interval the cart
/// is plugged in, every `ctl attach` at once (a thread each). Each cart device's time counts from
/// the start of its own attach command until its first cycle is recorded and diagnosed.
struct CartResult {
  int known = 0;  ///< USB devices attached before the cart
  int cart = 0;
  double attachSpreadSeconds = 0;  ///< from the first attach command's start to the last's
  double p50Seconds = 0, maxSeconds = 0;
  double allRecordedSeconds = 0;  ///< from the first attach until the last cart device's record
};
CartResult runCartAttach(const MonitorCycleOptions& options, SimProcess& sim, int cart,
                         int intervalSeconds);

}  // namespace ibackupmon::bench

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// (a) One full probe cycle of the daemon's own code path, in process: the same parts
/// MonitorComponent wires (UsbmuxdEvents + DeviceWatcher -> Monitor on an Asio strand ->
/// ProbePool workers running the probe table through LockdownConnector -> diagnosis -> Store).
/// Timed from the watcher's start (first ListDevices) until every USB device's first cycle is
/// recorded and diagnosed.

#include <string>

#include "sim_process.h"

namespace ibackupmon::bench {

struct MonitorCycleOptions {
  int concurrency = 8;    ///< probe.concurrency
  std::string storePath;  ///< SQLite file; empty = null store
  int deadlineSeconds = 1800;
};

/// Throws std::runtime_error when the store cannot be opened or the cycle does not finish.
LoopResult runMonitorCycle(const MonitorCycleOptions& options, const SimProcess& sim);

}  // namespace ibackupmon::bench

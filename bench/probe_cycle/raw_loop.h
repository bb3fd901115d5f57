// SPDX-License-Identifier: Apache-2.0
#pragma once
/// (b) The floor: the same lockdown reads as one probe cycle, done by a minimal loop over the raw
/// libimobiledevice 1.3.0 API on `concurrency` threads, with no parsing, diagnosis or storage.
/// Per USB device: idevice_new, lockdownd_client_new_with_handshake, GetValue of the default
/// domain, com.apple.mobile.backup, .battery, com.apple.disk_usage, com.apple.mobile.data_sync,
/// then diagnostics_relay IORegistry (by the Wi-Fi entry name, then by class when empty), free.

#include "sim_process.h"

namespace ibackupmon::bench {

LoopResult runRawLoop(const SimProcess& sim, int concurrency);

}  // namespace ibackupmon::bench

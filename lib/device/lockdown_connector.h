// SPDX-License-Identifier: Apache-2.0
#pragma once
/// DeviceConnector over libimobiledevice 1.3.0: one lockdownd session per open().

#include <string>

#include "device/device_session.h"

namespace ibackupmon {

/// Call first in main(), before anything uses TLS. A probe worker abandoned inside
/// libimobiledevice (pairing generates keys with OpenSSL, which cannot be cancelled) may still run
/// while the process exits; OpenSSL's own exit-time cleanup would free its state under that worker
/// and crash the exit. The state stays until the process is gone.
void keepTlsStateUntilExit();

class LockdownConnector final : public DeviceConnector {
 public:
  /// label: the client name lockdownd logs (and shows in the Trust dialog's host list).
  explicit LockdownConnector(std::string label = "ibackupmon") : label_(std::move(label)) {}

  /// pair=true: lockdownd_client_new_with_handshake (pairs a device with no record, which shows
  /// the Trust dialog, as usbmuxd's preflight does). pair=false: lockdownd_client_new + the
  /// existing pair record + StartSession: never pairs; no record -> "not_paired".
  Expected<std::unique_ptr<DeviceSession>> open(const DeviceRef& device,
                                                const SessionOptions& options) override;

 private:
  std::string label_;
};

}  // namespace ibackupmon

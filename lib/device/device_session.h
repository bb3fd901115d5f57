// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The narrow I/O seam probes talk through: one lockdown session per probe cycle.
/// Production: LockdownConnector (lockdown_connector.h). Tests: a hand-written fake.
///
///   class FakeSession final : public DeviceSession {
///     Expected<PlistDict> getDomain(const std::string& d) override { return domains_.at(d); }
///     ...
///   };

#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/snapshot.h"
#include "device/plist_value.h"

namespace ibackupmon {

/// A device as usbmuxd lists it.
struct DeviceRef {
  std::string udid;          ///< sanitised
  std::uint32_t handle = 0;  ///< usbmuxd DeviceID; changes on every re-attach
  bool network = false;      ///< reached over Wi-Fi sync
  bool operator==(const DeviceRef&) const = default;
};

/// Stable error ids shared by sessions and probes (ProbeOutcome::error, Error::code).
namespace errc {
inline constexpr const char* kPasscodeLocked = "passcode_locked";
inline constexpr const char* kTrustPending = "trust_pending";
inline constexpr const char* kTrustDenied = "trust_denied";
inline constexpr const char* kNotPaired = "not_paired";
inline constexpr const char* kGetProhibited = "get_prohibited";
inline constexpr const char* kRetry = "retry";  ///< receive timeout / mux error: try again later
inline constexpr const char* kNoDevice = "no_device";
inline constexpr const char* kServiceUnavailable = "service_unavailable";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kProtocol = "protocol_error";
inline constexpr const char* kParse = "parse_error";
inline constexpr const char* kDeviceError = "device_error";  ///< the device refused a request
}  // namespace errc

/// What a failed session open means for trust; Unknown when the error says nothing about it.
TrustState trustFromError(const std::string& code);

class DeviceSession {
 public:
  virtual ~DeviceSession() = default;
  /// GetValue(domain, key = null): the whole domain as a dict. An empty domain name reads the
  /// default domain. Errors carry an errc id ("get_prohibited" for a prohibited domain).
  virtual Expected<PlistDict> getDomain(const std::string& domain) = 0;
  /// diagnostics_relay IORegistry entry by name (falling back to class; an empty name queries
  /// by class alone). nullopt when the device
  /// has no such entry; an error when the service could not be reached.
  virtual Expected<std::optional<PlistDict>> ioregistryEntry(const std::string& name,
                                                             const std::string& className) = 0;

  // --- remediation requests (docs/remediation.md) ---------------------------------------------
  /// mobilebackup2 as `idevicebackup2 cloud on` starts it (escrow bag from the pair record,
  /// DeviceLink version exchange, Hello), then EnableCloudBackup with CloudBackupState true.
  /// There is deliberately no way to send false: switching off drops LastCloudBackupDate.
  /// An error carries an errc id; the device's own refusal is "device_error".
  virtual Expected<void> enableCloudBackup() {
    return makeError(errc::kServiceUnavailable, "enableCloudBackup is not supported here");
  }
  /// diagnostics_relay Restart, flag WAIT_FOR_DISCONNECT: the device restarts once this session
  /// lets go of the service. Whether it came back is for the caller to watch.
  virtual Expected<void> restart() {
    return makeError(errc::kServiceUnavailable, "restart is not supported here");
  }
};

struct SessionOptions {
  bool pair = true;  ///< may pair (shows the Trust dialog); false: existing pair record only
};

/// Opens sessions. Implementations are thread-safe: workers call open() concurrently.
class DeviceConnector {
 public:
  virtual ~DeviceConnector() = default;
  virtual Expected<std::unique_ptr<DeviceSession>> open(const DeviceRef& device,
                                                        const SessionOptions& options) = 0;
};

}  // namespace ibackupmon

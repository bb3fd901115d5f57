// SPDX-License-Identifier: Apache-2.0
#include "device/lockdown_errors.h"

#include "device/device_session.h"

namespace ibackupmon {

// Numbers are libimobiledevice 1.3.0's lockdownd_error_t (checked against lockdown.h on Debian 12);
// kept as plain ints so this mapping is unit-testable without the library.
const char* lockdownErrorId(int e) {
  switch (e) {
    case -17: return errc::kPasscodeLocked;      // PASSWORD_PROTECTED
    case -19: return errc::kTrustPending;        // PAIRING_DIALOG_RESPONSE_PENDING
    case -18: return errc::kTrustDenied;         // USER_DENIED_PAIRING
    case -21:                                    // INVALID_HOST_ID
    case -29:                                    // MISSING_PAIR_RECORD
    case -31:                                    // INVALID_PAIR_RECORD
    case -20:                                    // MISSING_HOST_ID
    case -2: return errc::kNotPaired;            // INVALID_CONF
    case -13: return errc::kGetProhibited;       // GET_PROHIBITED
    case -7:                                     // RECEIVE_TIMEOUT
    case -8: return errc::kRetry;                // MUX_ERROR
    case -5: return errc::kRetry;                // SSL_ERROR: a dropped TLS session
    case -34:                                    // SERVICE_PROHIBITED
    case -26:                                    // MISSING_SERVICE
    case -27: return errc::kServiceUnavailable;  // INVALID_SERVICE
    default: return errc::kProtocol;
  }
}

Error lockdownError(int e, const std::string& operation, const std::string& udid) {
  return Error{lockdownErrorId(e),
               operation + " on " + udid + " failed: lockdownd error " + std::to_string(e)};
}

TrustState trustFromError(const std::string& code) {
  if (code == errc::kPasscodeLocked) return TrustState::PasscodeLocked;
  if (code == errc::kTrustPending) return TrustState::TrustPending;
  if (code == errc::kTrustDenied) return TrustState::TrustDenied;
  if (code == errc::kNotPaired) return TrustState::NotPaired;
  return TrustState::Unknown;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "probes/probe.h"

namespace ibackupmon {

ProbeResult ProbeResult::fromReadError(const Error& e) {
  if (e.code == errc::kGetProhibited || e.code == errc::kPasscodeLocked ||
      e.code == errc::kServiceUnavailable) {
    return noData(e);
  }
  return failed(e);
}

}  // namespace ibackupmon

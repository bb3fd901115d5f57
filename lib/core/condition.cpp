// SPDX-License-Identifier: Apache-2.0
#include "core/condition.h"

#include <algorithm>

#include "core/snapshot.h"

namespace ibackupmon {

const char* toString(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "unknown";
}

const char* toString(Confidence c) {
  return c == Confidence::Observed ? "observed" : "inferred";
}

const char* toString(BackupState s) {
  switch (s) {
    case BackupState::Ok: return "ok";
    case BackupState::Stale: return "stale";
    case BackupState::Unknown: return "unknown";
  }
  return "unknown";
}

std::optional<Severity> severityFromString(const std::string& s) {
  if (s == "info") return Severity::Info;
  if (s == "warning") return Severity::Warning;
  if (s == "critical") return Severity::Critical;
  return std::nullopt;
}

std::optional<Severity> worstSeverity(const std::vector<Condition>& conditions) {
  std::optional<Severity> worst;
  for (const auto& c : conditions) {
    if (!worst || static_cast<int>(c.severity) > static_cast<int>(*worst)) worst = c.severity;
  }
  return worst;
}

bool deviceAnswered(const DeviceSnapshot& s) {
  if (s.trust != TrustState::Trusted) return false;
  if (s.probes.empty()) return true;
  return std::any_of(s.probes.begin(), s.probes.end(), [](const ProbeOutcome& p) {
    if (p.probe == "trust") return false;  // opening the session reads nothing
    return p.status == ProbeStatus::Ok ||
           (p.status == ProbeStatus::NoData && p.error == "get_prohibited");
  });
}

const char* toString(TrustState s) {
  switch (s) {
    case TrustState::Unknown: return "unknown";
    case TrustState::Trusted: return "trusted";
    case TrustState::PasscodeLocked: return "passcode_locked";
    case TrustState::TrustPending: return "trust_pending";
    case TrustState::TrustDenied: return "trust_denied";
    case TrustState::NotPaired: return "not_paired";
  }
  return "unknown";
}

const char* toString(WifiState s) {
  switch (s) {
    case WifiState::Unknown: return "unknown";
    case WifiState::Associated: return "associated";
    case WifiState::NotAssociated: return "not_associated";
  }
  return "unknown";
}

const char* toString(ProbeStatus s) {
  switch (s) {
    case ProbeStatus::Ok: return "ok";
    case ProbeStatus::NoData: return "no_data";
    case ProbeStatus::Error: return "error";
  }
  return "error";
}

}  // namespace ibackupmon

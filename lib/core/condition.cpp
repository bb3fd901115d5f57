// SPDX-License-Identifier: Apache-2.0
#include "core/condition.h"

#include <algorithm>

#include "core/enum_names.h"
#include "core/snapshot.h"

namespace ibackupmon {
namespace {

constexpr std::array<const char*, 3> kSeverityNames{"info", "warning", "critical"};

}  // namespace

const char* toString(Severity s) {
  return enumName(kSeverityNames, s, "unknown");
}

const char* toString(Confidence c) {
  return enumName(std::array<const char*, 2>{"observed", "inferred"}, c, "inferred");
}

const char* toString(BackupState s) {
  return enumName(std::array<const char*, 3>{"ok", "stale", "unknown"}, s, "unknown");
}

std::optional<Severity> severityFromString(const std::string& s) {
  return enumFromName<Severity>(kSeverityNames, s);
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
  return enumName(std::array<const char*, 6>{"unknown", "trusted", "passcode_locked",
                                             "trust_pending", "trust_denied", "not_paired"},
                  s, "unknown");
}

const char* toString(WifiState s) {
  return enumName(std::array<const char*, 3>{"unknown", "associated", "not_associated"}, s,
                  "unknown");
}

const char* toString(ProbeStatus s) {
  return enumName(std::array<const char*, 3>{"ok", "no_data", "error"}, s, "error");
}

}  // namespace ibackupmon

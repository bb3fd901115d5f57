// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What Apple's System Status feed says about the services we watch: plain data for the
/// diagnosis (apple_service_outage), emails and metrics. Built by parseAppleStatus
/// (alert/apple_status.h).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace ibackupmon {

/// One active (ongoing) event of a watched service. Strings are unescaped and sanitised.
struct AppleStatusEvent {
  std::string statusType;     ///< "Outage" | "Issue" | "Performance" | "Maintenance" (as sent)
  std::string eventStatus;    ///< "ongoing", or empty when the feed omitted it
  std::string usersAffected;  ///< e.g. "Some users are affected"
  std::string message;
  std::string messageId;
  std::optional<TimePoint> start;
  std::optional<TimePoint> end;  ///< absent while ongoing
};

struct AppleServiceStatus {
  std::string name;  ///< the watched name from config, e.g. "iCloud Account & Sign In"
  std::vector<AppleStatusEvent> activeEvents;
};

struct AppleStatusReport {
  TimePoint fetchedAt{};
  std::vector<AppleServiceStatus> services;  ///< watched services found, in config order
  std::vector<std::string> missingServices;  ///< watched but absent from the feed (an error)

  const AppleServiceStatus* find(std::string_view service) const {
    for (const auto& s : services) {
      if (s.name == service) return &s;
    }
    return nullptr;
  }
  bool complete() const { return missingServices.empty(); }
};

/// Services whose outage stops iCloud backups: an ongoing event here is `apple_service_outage`.
inline constexpr std::string_view kBackupAffectingServices[] = {"iCloud Backup",
                                                                "iCloud Account & Sign In"};

/// Active events of the backup-affecting services, each paired with its service name.
inline std::vector<std::pair<std::string, AppleStatusEvent>> backupAffectingEvents(
    const AppleStatusReport& report) {
  std::vector<std::pair<std::string, AppleStatusEvent>> out;
  for (const auto name : kBackupAffectingServices) {
    if (const auto* s = report.find(name)) {
      for (const auto& e : s->activeEvents) out.emplace_back(s->name, e);
    }
  }
  return out;
}

}  // namespace ibackupmon

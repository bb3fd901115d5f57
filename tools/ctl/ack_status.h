// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The acknowledgements `status` and `device` show beside each device (docs/ctl.md): the daemon
/// stores them in the database (alert_acks), so they are read there like the status itself.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "core/condition.h"
#include "store/alert_types.h"

namespace ibackupmon::ctl {

/// What is acknowledged of one device right now.
struct DeviceAckSummary {
  std::vector<std::string> conditions;  ///< empty = every condition of the device
  std::optional<TimePoint> until;       ///< latest expiry; nullopt = until `unack`
  TimePoint since{};                    ///< the oldest ack still in force
  std::string comment;                  ///< of the newest ack
};

/// Acks in force at `now`, by UDID (expired ones are left out).
std::map<std::string, DeviceAckSummary> summarizeAcks(const std::vector<AlertAck>& acks,
                                                      TimePoint now);

/// {"until": RFC 3339|null, "conditions": [...], "since": RFC 3339, "comment": "..."} or null.
nlohmann::json ackToStatusJson(const DeviceAckSummary* summary);

/// "Acknowledged:" lines under the status table (empty when nothing is acknowledged).
std::string renderAckLines(const std::vector<DeviceStatus>& fleet,
                           const std::map<std::string, DeviceAckSummary>& acks);

}  // namespace ibackupmon::ctl

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The public JSON shape of a device status (`ibackupmonctl status --json`, `export --format
/// json`); documented in docs/ctl.md. Times are RFC 3339 UTC or null; unknown values are null.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/condition.h"

namespace ibackupmon {

nlohmann::json conditionToJson(const Condition& c);
nlohmann::json statusToJson(const DeviceStatus& s);
nlohmann::json statusesToJson(const std::vector<DeviceStatus>& fleet);

/// Serialises with invalid UTF-8 replaced by U+FFFD, so the output is always valid JSON text.
std::string dumpJson(const nlohmann::json& j, int indent = 2);

/// A time as RFC 3339 UTC, or null.
nlohmann::json timeOrNull(const std::optional<TimePoint>& t);

}  // namespace ibackupmon

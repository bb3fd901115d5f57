// SPDX-License-Identifier: Apache-2.0
#pragma once
/// RFC 3339 UTC timestamps ("2025-05-15T20:37:27Z") for JSON, CSV, logs and emails.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace ibackupmon {

std::string formatRfc3339(TimePoint t);
/// Accepts "YYYY-MM-DDTHH:MM:SSZ" (and a trailing fraction or +00:00); nullopt otherwise.
std::optional<TimePoint> parseRfc3339(std::string_view text);

}  // namespace ibackupmon

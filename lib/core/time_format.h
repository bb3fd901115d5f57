// SPDX-License-Identifier: Apache-2.0
#pragma once
/// RFC 3339 timestamps ("2025-05-15T20:37:27Z") for JSON, CSV, logs and emails: written in UTC,
/// read with any offset.

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

/// Error codes of parseRfc3339.
namespace time_error {
/// Not of the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).
inline constexpr char kFormat[] = "time_format";
/// Of that form, but naming a date or time that does not exist (2025-02-31, 24:00, +24:00).
inline constexpr char kValue[] = "time_value";
}  // namespace time_error

/// "YYYY-MM-DDTHH:MM:SSZ", in UTC, to the second (a fraction is dropped).
std::string formatRfc3339(TimePoint t);

/// Reads "YYYY-MM-DDTHH:MM:SS", an optional fraction (dropped), then "Z" (or "z") or an offset
/// "+HH:MM"/"-HH:MM" (converted to UTC). Second 60 (a leap second) counts as the next minute's
/// :00, as POSIX time does. The error's message says what is wrong without quoting the text (the
/// caller quotes it, sanitised): "month 13 does not exist (01-12)", "2025-02-31 is not a date
/// (February 2025 has 28 days)".
Expected<TimePoint> parseRfc3339(std::string_view text);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "core/time_format.h"

// GCC 12 sees date::parse convert a seconds value that a failed read left unset, and then unused
// (a false -Wmaybe-uninitialized, reported inside <chrono>).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <sstream>

namespace ibackupmon {
namespace {

// The fixed parts of an RFC 3339 date-time: 'd' is a digit, '+' either sign, anything else
// itself. Only an upper case T stands between date and time, as ever (RFC 3339 also allows 't');
// the zone may be 'Z' or 'z'.
constexpr std::string_view kStamp = "dddd-dd-ddTdd:dd:dd";
constexpr std::string_view kOffset = "+dd:dd";

bool fits(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const char c = text[i];
    switch (shape[i]) {
      case 'd':
        if (c < '0' || c > '9') return false;
        break;
      case '+':  // either sign
        if (c != '+' && c != '-') return false;
        break;
      default:
        if (c != shape[i]) return false;
    }
  }
  return true;
}

unsigned number(std::string_view digits) {
  unsigned n = 0;
  for (char c : digits) n = n * 10 + static_cast<unsigned>(c - '0');
  return n;
}

tl::unexpected<Error> badFormat() {
  return makeError(time_error::kFormat,
                   "expected an RFC 3339 time such as 2026-12-01T00:00:00Z or "
                   "2026-12-01T09:30:00+02:00");
}

// What date::parse refused in a stamp of the right shape, for the error message.
std::string whyRefused(std::string_view stamp) {
  const date::year_month ym{date::year{static_cast<int>(number(stamp.substr(0, 4)))},
                            date::month{number(stamp.substr(5, 2))}};
  const unsigned day = number(stamp.substr(8, 2));
  if (!ym.ok()) return "month " + std::string(stamp.substr(5, 2)) + " does not exist (01-12)";
  const date::day last = (ym / date::last).day();
  if (day == 0 || date::day{day} > last) {
    return std::string(stamp.substr(0, 10)) + " is not a date (" + date::format("%B %Y", ym) +
           " has " + std::to_string(static_cast<unsigned>(last)) + " days)";
  }
  if (number(stamp.substr(11, 2)) > 23) {
    return "hour " + std::string(stamp.substr(11, 2)) + " does not exist (00-23)";
  }
  if (number(stamp.substr(14, 2)) > 59) {
    return "minute " + std::string(stamp.substr(14, 2)) + " does not exist (00-59)";
  }
  return "second " + std::string(stamp.substr(17, 2)) + " does not exist (00-60)";
}

}  // namespace

std::string formatRfc3339(TimePoint t) {
  // Truncated toward zero, as toUnixSeconds does.
  return date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::seconds>(t));
}

Expected<TimePoint> parseRfc3339(std::string_view text) {
  if (text.size() < kStamp.size() || !fits(text.substr(0, kStamp.size()), kStamp)) {
    return badFormat();
  }
  std::string stamp(text.substr(0, kStamp.size()));
  std::string_view rest = text.substr(kStamp.size());
  if (!rest.empty() && rest.front() == '.') {  // a fraction of a second: dropped
    std::size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
    rest.remove_prefix(k);
  }
  std::string offset;
  if (rest == "Z" || rest == "z") {
    offset = "+00:00";
  } else if (fits(rest, kOffset)) {
    if (number(rest.substr(1, 2)) > 23 || number(rest.substr(4, 2)) > 59) {
      return makeError(time_error::kValue,
                       "offset " + std::string(rest) + " does not exist (-23:59 to +23:59)");
    }
    offset = rest;
  } else {
    return badFormat();
  }
  // Every moment of these years, at any offset, fits in a TimePoint (see kMinUnixSeconds).
  if (const unsigned year = number(stamp.substr(0, 4)); year < 1678 || year > 2261) {
    return makeError(time_error::kValue,
                     "year " + stamp.substr(0, 4) + " is out of range (1678-2261)");
  }
  // date::parse knows no leap second: 23:59:60 is read as 23:59:59 and one second added.
  const bool leapSecond = stamp.compare(17, 2, "60") == 0;
  if (leapSecond) stamp.replace(17, 2, "59");
  std::istringstream in(stamp + offset);
  date::sys_seconds t;
  in >> date::parse("%Y-%m-%dT%H:%M:%S%Ez", t);  // refuses 2025-02-31, 24:00, :60 minutes
  if (in.fail()) return makeError(time_error::kValue, whyRefused(stamp));
  return TimePoint{t + Seconds{leapSecond ? 1 : 0}};
}

}  // namespace ibackupmon

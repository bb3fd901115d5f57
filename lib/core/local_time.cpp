// SPDX-License-Identifier: Apache-2.0
#include "core/local_time.h"

#include <ctime>

namespace ibackupmon {

int localMinuteOfDay(TimePoint t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&s, &local);
  return local.tm_hour * 60 + local.tm_min;
}

TimePoint nextLocalHour(TimePoint after, int hour) {
  const std::time_t t = std::chrono::system_clock::to_time_t(after);
  std::tm local{};
  localtime_r(&t, &local);
  for (int day = 0; day < 3; ++day) {
    std::tm want = local;
    want.tm_mday += day;
    want.tm_hour = hour;
    want.tm_min = 0;
    want.tm_sec = 0;
    want.tm_isdst = -1;  // whatever daylight saving time says on that day
    const std::time_t candidate = mktime(&want);
    if (candidate != static_cast<std::time_t>(-1) && candidate > t) {
      return std::chrono::time_point_cast<TimePoint::duration>(
          std::chrono::system_clock::from_time_t(candidate));
    }
  }
  return after + std::chrono::hours(24);
}

}  // namespace ibackupmon

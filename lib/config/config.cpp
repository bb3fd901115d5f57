// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

#include <cstdio>

#include "core/enum_names.h"

namespace ibackupmon {

const SlotSetting* findSlot(const Config& config, std::string_view port, std::string_view path) {
  for (const auto& slot : config.slots) {
    if ((slot.port && !port.empty() && *slot.port == port) ||
        (slot.path && !path.empty() && *slot.path == path)) {
      return &slot;
    }
  }
  return nullptr;
}

bool DailyWindow::contains(int minuteOfDay) const {
  if (startMinute < endMinute) return minuteOfDay >= startMinute && minuteOfDay < endMinute;
  return minuteOfDay >= startMinute || minuteOfDay < endMinute;  // wraps past midnight
}

namespace {

// "HH:MM" at the start of `text` -> minutes after midnight.
std::optional<int> parseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

}  // namespace

std::optional<DailyWindow> parseDailyWindow(std::string_view text) {
  if (text.size() != 11 || text[5] != '-') return std::nullopt;
  const auto start = parseClock(text.substr(0, 5));
  const auto end = parseClock(text.substr(6, 5));
  if (!start || !end || *start == *end) return std::nullopt;
  return DailyWindow{*start, *end};
}

std::string formatDailyWindow(const DailyWindow& window) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d-%02d:%02d", window.startMinute / 60,
                window.startMinute % 60, window.endMinute / 60, window.endMinute % 60);
  return buffer;
}

const char* toString(LogLevel l) {
  return enumName(kLogLevelNames, l, "info");
}

const char* toString(BackupExpect e) {
  return enumName(kBackupExpectNames, e, "icloud");
}

const char* toString(RepeatPolicy r) {
  return enumName(kRepeatPolicyNames, r, "daily");
}

const char* toString(StartTls s) {
  return enumName(kStartTlsNames, s, "optional");
}

const char* toString(LocalBackupWhen w) {
  return enumName(kLocalBackupWhenNames, w, "stale");
}

}  // namespace ibackupmon

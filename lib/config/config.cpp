// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

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

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

#include "core/enum_names.h"

namespace ibackupmon {

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

// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

namespace ibackupmon {

const char* toString(LogLevel l) {
  switch (l) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
  }
  return "info";
}

const char* toString(BackupExpect e) {
  switch (e) {
    case BackupExpect::ICloud: return "icloud";
    case BackupExpect::Computer: return "computer";
    case BackupExpect::Either: return "either";
  }
  return "icloud";
}

const char* toString(RepeatPolicy r) {
  switch (r) {
    case RepeatPolicy::Once: return "once";
    case RepeatPolicy::Daily: return "daily";
    case RepeatPolicy::Diminishing: return "diminishing";
  }
  return "daily";
}

const char* toString(StartTls s) {
  switch (s) {
    case StartTls::Required: return "required";
    case StartTls::Optional: return "optional";
    case StartTls::Never: return "never";
  }
  return "optional";
}

}  // namespace ibackupmon

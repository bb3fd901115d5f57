// SPDX-License-Identifier: Apache-2.0
#include "backup_spec.h"

#include <limits>

#include "device_values.h"

namespace sim {

const std::vector<std::string>& backupKeys() {
  static const std::vector<std::string> kKeys{"files",         "file_size",     "file_delay_ms",
                                              "error",         "detach",        "after_files",
                                              "after_seconds", "passcode_wait", "lock_busy"};
  return kKeys;
}

std::string applyBackupKey(BackupSpec& spec, const std::string& key, int64_t value) {
  auto ranged = [&](int64_t lo, int64_t hi) -> std::string {
    if (value < lo || value > hi)
      return "expected " + std::to_string(lo) + ".." + std::to_string(hi) + ", found " +
             std::to_string(value);
    return "";
  };
  std::string err;
  if (key == "files") {
    err = ranged(0, 10000);
    if (err.empty()) spec.files = static_cast<int>(value);
  } else if (key == "file_size") {
    err = ranged(0, int64_t{4} << 30);
    if (err.empty()) spec.fileBytes = value;
  } else if (key == "file_delay_ms") {
    err = ranged(0, 600000);
    if (err.empty()) spec.fileDelayMs = static_cast<int>(value);
  } else if (key == "error") {
    err = ranged(0, std::numeric_limits<int32_t>::max());
    if (err.empty()) spec.errorCode = static_cast<int>(value);
  } else if (key == "detach") {
    err = ranged(0, 1);
    if (err.empty()) spec.detach = value != 0;
  } else if (key == "after_files") {
    err = ranged(0, 10000);
    if (err.empty()) spec.afterFiles = static_cast<int>(value);
  } else if (key == "after_seconds") {
    err = ranged(0, 86400);
    if (err.empty()) spec.afterSeconds = static_cast<int>(value);
  } else if (key == "passcode_wait") {
    err = ranged(0, 3600);
    if (err.empty()) spec.passcodeWaitSeconds = static_cast<int>(value);
  } else if (key == "lock_busy") {
    err = ranged(0, 1);
    if (err.empty()) spec.lockBusy = value != 0;
  } else {
    std::string known;
    for (const auto& k : backupKeys()) known += (known.empty() ? "" : ", ") + k;
    err = "unknown key (expected one of " + known + ")";
  }
  return err;
}

std::vector<std::string> describeBackupFaults(const BackupSpec& spec) {
  std::vector<std::string> out;
  if (spec.errorCode) out.push_back("backup.error=" + std::to_string(spec.errorCode));
  if (spec.detach) out.push_back("backup.detach");
  if (spec.hasFault() && spec.afterFiles)
    out.push_back("backup.after_files=" + std::to_string(spec.afterFiles));
  if (spec.hasFault() && spec.afterSeconds)
    out.push_back("backup.after_seconds=" + std::to_string(spec.afterSeconds));
  if (spec.errorCode == 208 && spec.passcodeWaitSeconds)
    out.push_back("backup.passcode_wait=" + std::to_string(spec.passcodeWaitSeconds));
  if (spec.lockBusy) out.push_back("backup.lock_busy");
  return out;
}

void addComputerBackupDomains(std::map<std::string, Plist>& domains) {
  Plist& itunes = domains["com.apple.iTunes"];
  if (!itunes) itunes = newDict();
  dictSet(itunes.get(), "64Bit", plist_new_uint(3));
  dictSetString(itunes.get(), "ConnectedBus", "UniversalSerialBus");
  dictSet(itunes.get(), "DBVersion", plist_new_uint(5));
  dictSet(itunes.get(), "FamilyID", plist_new_uint(10001));
  dictSetString(itunes.get(), "MinITunesVersion", "12.10.10");
  dictSet(itunes.get(), "SupportsAntiPhishing", plist_new_bool(1));
  Plist& mobile = domains["com.apple.mobile.iTunes"];
  if (!mobile) mobile = newDict();
  dictSetString(mobile.get(), "MinITunesVersion", "12.10.10");
}

std::string backupToToml(const BackupSpec& spec) {
  const BackupSpec d;
  std::string o;
  auto line = [&](const char* key, int64_t v, int64_t def) {
    if (v != def) o += std::string(key) + " = " + std::to_string(v) + "\n";
  };
  line("files", spec.files, d.files);
  line("file_size", spec.fileBytes, d.fileBytes);
  line("file_delay_ms", spec.fileDelayMs, d.fileDelayMs);
  line("error", spec.errorCode, d.errorCode);
  if (spec.detach) o += "detach = true\n";
  line("after_files", spec.afterFiles, d.afterFiles);
  line("after_seconds", spec.afterSeconds, d.afterSeconds);
  line("passcode_wait", spec.passcodeWaitSeconds, d.passcodeWaitSeconds);
  if (spec.lockBusy) o += "lock_busy = true\n";
  return o;
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/facts.h"

#include <algorithm>

namespace ibackupmon::facts {
namespace {

const DeviceSnapshot* lastSnapshot(const DiagnosisInput& in) {
  return in.history.lastSnapshot ? &*in.history.lastSnapshot : nullptr;
}

template <class T>
Fact<T> sticky(const DiagnosisInput& in, std::optional<T> DeviceSnapshot::*section) {
  if (in.snapshot && (*in.snapshot).*section) {
    return {&*((*in.snapshot).*section), &*in.snapshot, false};
  }
  if (const auto* last = lastSnapshot(in); last && (*last).*section) {
    return {&*((*last).*section), last, true};
  }
  return {};
}

// The device's report is the truth about its last backup: the latest snapshot's date, else the
// one history remembers (the last reported), else the last snapshot's.
std::optional<TimePoint> reportedBackup(const DiagnosisInput& in,
                                        std::optional<TimePoint> DeviceHistory::*historyField,
                                        std::optional<TimePoint> BackupFacts::*factField) {
  if (in.snapshot && in.snapshot->backup && (*in.snapshot->backup).*factField) {
    return (*in.snapshot->backup).*factField;
  }
  if (in.history.*historyField) return in.history.*historyField;
  if (const auto* last = lastSnapshot(in); last && last->backup) return (*last->backup).*factField;
  return std::nullopt;
}

bool anyValue(const BackupFacts& b) {
  return b.cloudBackupEnabled || b.lastCloudBackup || b.lastComputerBackup || b.willEncrypt ||
         b.requiresEncryption || b.version || b.lastCloudBackupTz || b.lastComputerBackupTz;
}

bool isSet(TimePoint t) {
  return t != TimePoint{};
}

}  // namespace

const DeviceSnapshot* live(const DiagnosisInput& in) {
  return in.snapshot && in.snapshot->connected ? &*in.snapshot : nullptr;
}

bool attached(const DiagnosisInput& in) {
  return in.history.connected || live(in) != nullptr;
}

Fact<BackupFacts> backup(const DiagnosisInput& in) {
  return sticky(in, &DeviceSnapshot::backup);
}
Fact<PowerSourceInfo> powerSource(const DiagnosisInput& in) {
  return sticky(in, &DeviceSnapshot::powerSource);
}

Power power(const DeviceSnapshot& s) {
  Power p;
  if (s.battery) {
    p.level = s.battery->level;
    p.externalConnected = s.battery->externalConnected;
    p.charging = s.battery->charging;
    p.fullyCharged = s.battery->fullyCharged;
  }
  if (s.powerSource) {
    if (!p.externalConnected) p.externalConnected = s.powerSource->externalConnected;
    if (!p.charging) p.charging = s.powerSource->charging;
    if (!p.fullyCharged) p.fullyCharged = s.powerSource->fullyCharged;
  }
  return p;
}

const DeviceSnapshot* previousProbe(const DiagnosisInput& in) {
  const auto* now = live(in);
  const auto& last = in.history.lastSnapshot;
  if (now == nullptr || !last || !in.history.previousSnapshot) return nullptr;
  // History must already hold the latest probe; the one before it is then the previous probe.
  if (last->takenAt != now->takenAt) return nullptr;
  return &*in.history.previousSnapshot;
}

Fact<StorageInfo> storage(const DiagnosisInput& in) {
  return sticky(in, &DeviceSnapshot::storage);
}
Fact<AccountInfo> account(const DiagnosisInput& in) {
  return sticky(in, &DeviceSnapshot::account);
}

std::optional<std::string> identityField(const DiagnosisInput& in,
                                         std::optional<std::string> Identity::*field) {
  if (in.snapshot && in.snapshot->identity.*field) return in.snapshot->identity.*field;
  if (const auto* last = lastSnapshot(in)) return last->identity.*field;
  return std::nullopt;
}

std::optional<TimePoint> newestCloudBackup(const DiagnosisInput& in) {
  return reportedBackup(in, &DeviceHistory::lastCloudBackup, &BackupFacts::lastCloudBackup);
}

std::optional<TimePoint> newestComputerBackup(const DiagnosisInput& in) {
  return reportedBackup(in, &DeviceHistory::lastComputerBackup, &BackupFacts::lastComputerBackup);
}

bool backupDomainRead(const DiagnosisInput& in) {
  if (in.history.lastCloudBackup || in.history.lastComputerBackup) return true;
  if (in.snapshot && in.snapshot->backup && anyValue(*in.snapshot->backup)) return true;
  const auto* last = lastSnapshot(in);
  return last && last->backup && anyValue(*last->backup);
}

std::optional<TimePoint> firstSeen(const DiagnosisInput& in) {
  if (in.history.firstSeen) return in.history.firstSeen;
  std::optional<TimePoint> oldest;
  for (const auto* s : {in.snapshot ? &*in.snapshot : nullptr, lastSnapshot(in)}) {
    if (s && isSet(s->takenAt) && (!oldest || s->takenAt < *oldest)) oldest = s->takenAt;
  }
  return oldest;
}

std::optional<std::uint64_t> availableBytes(const StorageInfo& s) {
  return s.totalDataAvailable ? s.totalDataAvailable : s.amountDataAvailable;
}

std::string boolText(const std::optional<bool>& b) {
  if (!b) return "absent";
  return *b ? "true" : "false";
}

}  // namespace ibackupmon::facts

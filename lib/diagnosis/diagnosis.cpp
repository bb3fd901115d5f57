// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/diagnosis.h"

#include <algorithm>

#include "diagnosis/condition_catalog.h"
#include "diagnosis/facts.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

std::size_t catalogIndex(const std::string& id) {
  const auto& catalog = conditionCatalog();
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (catalog[i].id == id) return i;
  }
  return catalog.size();
}

/// "Since when?" survives restarts: an already open condition keeps the since the store has.
void keepOpenSince(std::vector<Condition>& conditions, const DeviceHistory& history) {
  for (auto& c : conditions) {
    if (auto it = history.openConditions.find(c.id); it != history.openConditions.end()) {
      c.since = it->second;
    }
  }
}

}  // namespace

DiagnosisConfig diagnosisConfigFrom(const Config& config) {
  DiagnosisConfig d;
  d.staleAfter = config.backup.staleAfter;
  d.criticalAfter = config.backup.criticalAfter;
  d.missingAfter = config.backup.missingAfter;
  d.expect = config.backup.expect;
  d.batteryLow = config.thresholds.batteryLow;
  d.batteryHealth = config.thresholds.batteryHealth;
  d.batteryTemperature = config.thresholds.batteryTemperature;
  d.storageLow = config.thresholds.storageLow;
  d.clockSkew = config.thresholds.clockSkew;
  d.iosMinimumVersion = config.ios.minimumVersion;
  return d;
}

std::vector<Condition> diagnose(const DiagnosisInput& in, const DiagnosisConfig& config,
                                TimePoint now) {
  RuleContext ctx(in, config, now);
  trustRules(ctx);
  powerRules(ctx);
  deviceRules(ctx);
  environmentRules(ctx);
  backupRules(ctx);
  remediationFailedRule(ctx);
  staleUnexplainedRule(ctx);  // last: it looks at what the others raised
  auto conditions = ctx.take();
  keepOpenSince(conditions, in.history);
  sortConditions(conditions);
  return conditions;
}

std::vector<Condition> diagnose(const DiagnosisInput& in, const Config& config, TimePoint now) {
  return diagnose(in, diagnosisConfigFrom(config), now);
}

std::optional<TimePoint> countedBackup(const DiagnosisInput& in, BackupExpect expect) {
  return countedBackup(facts::newestCloudBackup(in), facts::newestComputerBackup(in), expect);
}

std::optional<TimePoint> countedBackup(std::optional<TimePoint> cloud,
                                       std::optional<TimePoint> computer, BackupExpect expect) {
  switch (expect) {
    case BackupExpect::ICloud: return cloud;
    case BackupExpect::Computer: return computer;
    case BackupExpect::Either:
      if (cloud && computer) return std::max(*cloud, *computer);
      return cloud ? cloud : computer;
  }
  return std::nullopt;
}

BackupState backupState(const DiagnosisInput& in, const DiagnosisConfig& config, TimePoint now) {
  // A date later than now + clock_skew is no backup (backup_date_in_future says so).
  if (const auto last = countedBackup(in, config.expect); last && *last <= now + config.clockSkew) {
    return now - *last < config.staleAfter ? BackupState::Ok : BackupState::Stale;
  }
  // No counted backup was ever seen. Only a device whose backup domain answered (without a date
  // of the counted kind) is known to have none; give it stale_after from first sight.
  const auto first = facts::firstSeen(in);
  if (facts::backupDomainRead(in) && first && now - *first >= config.staleAfter) {
    return BackupState::Stale;
  }
  return BackupState::Unknown;
}

void sortConditions(std::vector<Condition>& conditions) {
  std::stable_sort(conditions.begin(), conditions.end(),
                   [](const Condition& a, const Condition& b) {
                     if (a.severity != b.severity)
                       return static_cast<int>(a.severity) > static_cast<int>(b.severity);
                     const auto ia = catalogIndex(a.id);
                     const auto ib = catalogIndex(b.id);
                     if (ia != ib) return ia < ib;
                     return a.since < b.since;
                   });
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Shared state of one diagnose() call, handed to each group of rules. Internal to lib/diagnosis.

#include <string_view>
#include <vector>

#include "core/time_format.h"
#include "diagnosis/diagnosis.h"
#include "diagnosis/facts.h"

namespace ibackupmon {

class RuleContext {
 public:
  RuleContext(const DiagnosisInput& in, const DiagnosisConfig& config, TimePoint now);

  const DiagnosisInput& in() const { return in_; }
  const DiagnosisConfig& config() const { return config_; }
  TimePoint now() const { return now_; }

  /// Adds a condition with the catalog's severity, confidence, title and fix, since `since`
  /// (replaced later by history's since when the condition was already open).
  Condition& raise(std::string_view id, TimePoint since);
  bool raised(std::string_view id) const;

  bool icloudCounts() const { return config_.expect != BackupExpect::Computer; }
  bool computerCounts() const { return config_.expect != BackupExpect::ICloud; }
  /// iCloud is what keeps this device backed up: expect icloud, or either without a computer
  /// backup newer than stale_after. iOS clears CloudBackupEnabled for computer backups.
  bool icloudMatters() const;

  std::vector<Condition> take() { return std::move(out_); }

 private:
  const DiagnosisInput& in_;
  const DiagnosisConfig& config_;
  TimePoint now_;
  std::vector<Condition> out_;
};

/// Adds "observed_at" evidence when a fact comes from an earlier cycle than the latest one.
template <class T>
void noteObservedAt(Condition& c, const facts::Fact<T>& fact) {
  if (fact.fromHistory && fact.from) c.evidence["observed_at"] = formatRfc3339(fact.from->takenAt);
}

// Groups of rules, one file each. staleUnexplainedRule must run after all others.
void backupRules(RuleContext& ctx);
void staleUnexplainedRule(RuleContext& ctx);
void powerRules(RuleContext& ctx);
void trustRules(RuleContext& ctx);
void deviceRules(RuleContext& ctx);
void environmentRules(RuleContext& ctx);
void remediationFailedRule(RuleContext& ctx);  ///< remediation_rules.cpp

}  // namespace ibackupmon

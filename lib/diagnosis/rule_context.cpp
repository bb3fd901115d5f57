// SPDX-License-Identifier: Apache-2.0
#include "diagnosis/rule_context.h"

#include <algorithm>

#include "diagnosis/condition_catalog.h"

namespace ibackupmon {

RuleContext::RuleContext(const DiagnosisInput& in, const DiagnosisConfig& config, TimePoint now)
    : in_(in), config_(config), now_(now) {}

Condition& RuleContext::raise(std::string_view id, TimePoint since) {
  Condition c;
  c.id = std::string(id);
  c.since = since;
  if (const auto* def = findConditionDef(id)) {
    c.severity = def->severity;
    c.confidence = def->confidence;
    c.summary = def->title;
    const bool computerOnly = config_.expect == BackupExpect::Computer;
    c.fix = formatFixSteps(computerOnly && !def->computerFixSteps.empty() ? def->computerFixSteps
                                                                          : def->fixSteps);
  }
  out_.push_back(std::move(c));
  return out_.back();
}

bool RuleContext::raised(std::string_view id) const {
  return std::any_of(out_.begin(), out_.end(), [&](const Condition& c) { return c.id == id; });
}

bool RuleContext::icloudMatters() const {
  switch (config_.expect) {
    case BackupExpect::ICloud: return true;
    case BackupExpect::Computer: return false;
    case BackupExpect::Either: {
      const auto computer = facts::newestComputerBackup(in_);
      return !computer || now_ - *computer >= config_.staleAfter;
    }
  }
  return true;
}

}  // namespace ibackupmon

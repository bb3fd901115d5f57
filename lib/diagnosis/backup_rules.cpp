// SPDX-License-Identifier: Apache-2.0
// Rules about backups themselves: backup_stale, never_backed_up, icloud_backup_disabled (and
// icloud_backup_turned_off_again),
// encryption_password_missing, backup_date_in_future, and (run last) stale_unexplained.
#include <chrono>
#include <map>

#include "core/backup_steps.h"
#include "core/byte_size.h"
#include "core/duration.h"
#include "diagnosis/condition_catalog.h"
#include "diagnosis/ios_version.h"
#include "diagnosis/rule_context.h"

namespace ibackupmon {
namespace {

std::string dateOrNever(const std::optional<TimePoint>& t) {
  return t ? formatRfc3339(*t) : std::string("never");
}

std::string daysText(Duration d) {
  const auto days = std::chrono::duration_cast<std::chrono::hours>(d).count() / 24;
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

/// Apple may delete an iCloud backup after 180 days without a new one: say when that nears.
std::optional<std::string> deletionNote(const RuleContext& ctx) {
  const auto cloud = facts::newestCloudBackup(ctx.in());
  if (!ctx.icloudCounts() || !cloud) return std::nullopt;
  const auto age = std::chrono::duration_cast<Duration>(ctx.now() - *cloud);
  if (age < kAppleDeletionNoticeAge) return std::nullopt;
  const TimePoint deadline = *cloud + kAppleBackupDeletionAge;
  if (age >= kAppleBackupDeletionAge) {
    return "180 days without an iCloud backup passed on " + formatRfc3339(deadline) +
           ": Apple may already have deleted this device's iCloud backup";
  }
  return "Apple may delete this device's iCloud backup after 180 days without a new one: in " +
         daysText(std::chrono::duration_cast<Duration>(deadline - ctx.now())) + " (" +
         formatRfc3339(deadline) + ")";
}

std::string staleSummary(const RuleContext& ctx, const std::optional<TimePoint>& last,
                         Duration age) {
  const char* kind = ctx.config().expect == BackupExpect::ICloud ? "iCloud backup"
                     : ctx.config().expect == BackupExpect::Computer
                         ? "computer backup"
                         : "backup (iCloud or computer)";
  if (!last)
    return std::string("Never a counted ") + kind + " since first seen " + formatAge(age) + " ago";
  return std::string("No ") + kind + " for " + formatAge(age) + " (last " + formatRfc3339(*last) +
         ")";
}

/// iOS at the newest version Apple offers for the model (known from the catalog), and not below
/// the configured minimum.
bool iosCurrent(const RuleContext& ctx) {
  const auto version = facts::identityField(ctx.in(), &Identity::productVersion);
  const auto& newest = ctx.in().external.newestIosVersion;
  if (!version || !newest || !parseIosVersion(*version) || ctx.raised(cond::kIosOutdated)) {
    return false;
  }
  const auto cmp = compareIosVersions(*version, *newest);
  return cmp && *cmp >= 0;
}

/// Apple's nine steps minus those the evidence rules out, keeping their numbers, then which were
/// left out and why.
std::string tailoredIcloudFix(const RuleContext& ctx) {
  std::map<std::size_t, std::string> leftOut;  // step number -> why
  const auto backup = facts::backup(ctx.in());
  if (backup && backup->cloudBackupEnabled == true) leftOut[1] = "iCloud Backup is on";
  if (const auto* live = facts::live(ctx.in())) {
    if (live->wifi == WifiState::Associated) leftOut[2] = "Wi-Fi seen associated";
    if (facts::power(*live).externalConnected == true) leftOut[3] = "on external power";
  }
  if (iosCurrent(ctx)) leftOut[9] = "iOS is current";
  const auto& steps = icloudBackupSteps();
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (leftOut.count(i + 1)) continue;
    if (!out.empty()) out += '\n';
    out += std::to_string(i + 1) + ". " + steps[i];
  }
  if (!leftOut.empty()) {
    out += "\nLeft out:";
    bool first = true;
    for (const auto& [n, why] : leftOut) {
      out += (first ? " step " : "; step ") + std::to_string(n) + " (" + why + ")";
      first = false;
    }
    out += ".";
  }
  return out;
}

// A finished local backup newer than stale_after: the device's data is safe on this host. The
// iCloud backup is still stale (the condition stays) but no longer critical, except from
// kAppleDeletionNoticeAge on, when Apple's deletion rule makes iCloud itself the emergency.
void noteLocalBackup(const RuleContext& ctx, Condition& c) {
  const auto& local = ctx.in().localBackup;
  if (!local || !local->finishedAt || ctx.now() - *local->finishedAt >= ctx.config().staleAfter) {
    return;
  }
  c.evidence["local_backup"] = formatRfc3339(*local->finishedAt);
  std::string safe = "its data is safe on this host since " + formatRfc3339(*local->finishedAt);
  if (local->bytes) {
    safe += " (" + formatGigabytes(*local->bytes) + ")";
    c.evidence["local_backup_bytes"] = std::to_string(*local->bytes);
  }
  c.summary += "; " + safe;
  const auto cloud = facts::newestCloudBackup(ctx.in());
  const bool deletionNear = !cloud || ctx.now() - *cloud >= kAppleDeletionNoticeAge;
  if (!deletionNear && c.severity == Severity::Critical) c.severity = Severity::Warning;
}

void backupStaleRule(RuleContext& ctx) {
  if (backupState(ctx.in(), ctx.config(), ctx.now()) != BackupState::Stale) return;
  const auto& cfg = ctx.config();
  auto last = countedBackup(ctx.in(), cfg.expect);
  if (last && *last > ctx.now() + cfg.clockSkew) last.reset();  // backup_date_in_future
  const auto first = facts::firstSeen(ctx.in());
  const TimePoint base = last ? *last : first.value_or(ctx.now());
  const auto age = std::chrono::duration_cast<Duration>(ctx.now() - base);
  Condition& c = ctx.raise(cond::kBackupStale, base + cfg.staleAfter);
  if (age >= cfg.criticalAfter) c.severity = Severity::Critical;
  c.summary = staleSummary(ctx, last, age);
  c.evidence["expect"] = toString(cfg.expect);
  if (ctx.icloudCounts())
    c.evidence["LastCloudBackupDate"] = dateOrNever(facts::newestCloudBackup(ctx.in()));
  if (ctx.computerCounts()) {
    c.evidence["LastiTunesBackupDate"] = dateOrNever(facts::newestComputerBackup(ctx.in()));
  }
  if (!last && first) c.evidence["first_seen"] = formatRfc3339(*first);
  c.evidence["age"] = formatAge(age);
  c.evidence["stale_after"] = formatDuration(cfg.staleAfter);
  c.evidence["critical_after"] = formatDuration(cfg.criticalAfter);
  if (auto note = deletionNote(ctx)) {
    c.evidence["icloud_backup_deletion"] = *note;
    c.summary += "; " + *note;
  }
  noteLocalBackup(ctx, c);
  if (cfg.expect != BackupExpect::Computer) c.fix = tailoredIcloudFix(ctx);
}

// A device that says it backs up but has never done so. Info only: it does not alert on the
// first day of a new cart; backup_stale takes over once stale_after has passed since first seen.
// Not raised while iCloud Backup is off: switching it off drops the date key, so its absence
// proves nothing then.
// The host's own safety net keeps failing for a device whose iCloud backup is stale.
void localBackupFailingRule(RuleContext& ctx) {
  const auto& local = ctx.in().localBackup;
  if (!local || local->failuresInRow < 2 || !ctx.raised(cond::kBackupStale)) return;
  Condition& c = ctx.raise(cond::kLocalBackupFailing, local->lastEndedAt.value_or(ctx.now()));
  c.evidence["failures_in_row"] = std::to_string(local->failuresInRow);
  if (!local->lastReason.empty()) c.evidence["reason"] = local->lastReason;
  c.evidence["last_success"] = dateOrNever(local->finishedAt);
  c.summary = std::to_string(local->failuresInRow) + " local backups in a row failed" +
              (local->lastReason.empty() ? std::string() : ", the last: " + local->lastReason);
}

void neverBackedUpRule(RuleContext& ctx) {
  if (ctx.raised(cond::kBackupStale) || !facts::backupDomainRead(ctx.in())) return;
  const auto backup = facts::backup(ctx.in());
  if (!backup || backup->futureCloudBackup || backup->futureComputerBackup) return;
  const bool cloudOn = backup->cloudBackupEnabled == true;
  const bool cloud = facts::newestCloudBackup(ctx.in()).has_value();
  const bool computer = facts::newestComputerBackup(ctx.in()).has_value();
  switch (ctx.config().expect) {
    case BackupExpect::ICloud:
      if (!cloudOn || cloud) return;
      break;
    case BackupExpect::Computer:
      if (computer) return;
      break;
    case BackupExpect::Either:
      if (!cloudOn || cloud || computer) return;
      break;
  }
  const auto first = facts::firstSeen(ctx.in());
  Condition& c = ctx.raise(cond::kNeverBackedUp, first.value_or(ctx.now()));
  c.evidence["expect"] = toString(ctx.config().expect);
  if (ctx.config().expect == BackupExpect::Computer) {
    c.evidence["LastiTunesBackupDate"] = "absent";
    c.summary = "No computer backup reported yet";
  } else {
    c.evidence["CloudBackupEnabled"] = "true";
    c.evidence["LastCloudBackupDate"] = "absent";
    c.summary = "iCloud Backup is on but no iCloud backup reported yet";
  }
  if (first) c.evidence["first_seen"] = formatRfc3339(*first);
  noteObservedAt(c, backup);
}

void icloudDisabledRule(RuleContext& ctx) {
  const auto backup = facts::backup(ctx.in());
  if (!backup || backup->cloudBackupEnabled != false || !ctx.icloudMatters()) return;
  Condition& c = ctx.raise(cond::kIcloudBackupDisabled, ctx.now());
  c.evidence["CloudBackupEnabled"] = "false";
  c.evidence["expect"] = toString(ctx.config().expect);
  if (ctx.computerCounts()) {
    c.evidence["LastiTunesBackupDate"] = dateOrNever(facts::newestComputerBackup(ctx.in()));
  }
  noteObservedAt(c, backup);
  // Found off after we turned it on: someone (MDM, the user) disagrees; say so, never fight.
  const auto& turnedOn = ctx.in().icloudBackupTurnedOnAt;
  const TimePoint readAt = backup.from != nullptr ? backup.from->takenAt : ctx.now();
  if (turnedOn && readAt > *turnedOn) {
    Condition& again = ctx.raise(cond::kIcloudBackupTurnedOffAgain, readAt);
    again.evidence["CloudBackupEnabled"] = "false";
    again.evidence["turned_on_by_ibackupmond"] = formatRfc3339(*turnedOn);
  }
}

void encryptionRule(RuleContext& ctx) {
  const auto backup = facts::backup(ctx.in());
  if (!backup || !ctx.computerCounts() || backup->requiresEncryption != true) return;
  if (backup->willEncrypt == true) return;
  Condition& c = ctx.raise(cond::kEncryptionPasswordMissing, ctx.now());
  c.evidence["RequiresEncryption"] = "true";
  c.evidence["WillEncrypt"] = facts::boolText(backup->willEncrypt);
  noteObservedAt(c, backup);
}

// A backup date later than the read's time plus clock_skew: set aside by the monitor
// (futureCloudBackup), or found as the remembered last backup (a database that holds one).
void futureDateRule(RuleContext& ctx) {
  const auto backup = facts::backup(ctx.in());
  const TimePoint latest = ctx.now() + ctx.config().clockSkew;
  std::map<std::string, std::string> dates;
  auto note = [&](const char* key, std::optional<TimePoint> BackupFacts::*setAside,
                  const std::optional<TimePoint>& remembered) {
    if (backup && (*backup.value).*setAside) {
      dates[key] = formatRfc3339(*((*backup.value).*setAside));
    } else if (remembered && *remembered > latest) {
      dates[key] = formatRfc3339(*remembered);
    }
  };
  note("LastCloudBackupDate", &BackupFacts::futureCloudBackup, facts::newestCloudBackup(ctx.in()));
  note("LastiTunesBackupDate", &BackupFacts::futureComputerBackup,
       facts::newestComputerBackup(ctx.in()));
  if (dates.empty()) return;
  Condition& c = ctx.raise(cond::kBackupDateInFuture, ctx.now());
  c.summary = "The device reports an impossible backup date:";
  for (const auto& [key, date] : dates) c.summary += " " + key + " " + date;
  c.evidence = std::move(dates);
  c.evidence["host_time"] = formatRfc3339(backup && backup.from ? backup.from->takenAt : ctx.now());
  c.evidence["clock_skew"] = formatDuration(ctx.config().clockSkew);
  noteObservedAt(c, backup);
}

bool explainedByAnyOf(const RuleContext& ctx, std::initializer_list<std::string_view> ids) {
  for (auto id : ids) {
    if (ctx.raised(id)) return true;
  }
  return false;
}

/// Visible conditions that explain a stale backup (or why we cannot see a newer one).
bool staleExplained(const RuleContext& ctx) {
  if (explainedByAnyOf(ctx, {cond::kPasscodeLocked, cond::kTrustPending, cond::kTrustDenied,
                             cond::kNotPaired, cond::kValuesProhibited, cond::kProbeFailing,
                             cond::kDeviceMissing, cond::kBackupDateInFuture})) {
    return true;
  }
  if (ctx.icloudCounts() &&
      explainedByAnyOf(ctx, {cond::kIcloudBackupDisabled, cond::kIcloudSignedOut, cond::kNotOnPower,
                             cond::kBatteryLow, cond::kWifiDisconnected, cond::kClockSkew})) {
    return true;
  }
  return ctx.computerCounts() && ctx.raised(cond::kEncryptionPasswordMissing);
}

std::string candidates(const RuleContext& ctx) {
  std::string out;
  auto add = [&](const char* s) { out += out.empty() ? s : std::string("; ") + s; };
  if (ctx.icloudCounts()) {
    add("iCloud storage full");
    add("Apple ID verification needed");
    const auto* live = facts::live(ctx.in());
    if (!live || live->wifi != WifiState::Associated) add("Wi-Fi not joined or out of range");
    add("a device-management restriction forbids iCloud Backup");
  }
  if (ctx.computerCounts()) {
    add("the host's backup job does not run or fails");
    add("backup destination full");
  }
  return out;
}

}  // namespace

void backupRules(RuleContext& ctx) {
  backupStaleRule(ctx);
  localBackupFailingRule(ctx);
  neverBackedUpRule(ctx);
  icloudDisabledRule(ctx);
  encryptionRule(ctx);
  futureDateRule(ctx);
}

void staleUnexplainedRule(RuleContext& ctx) {
  if (!ctx.raised(cond::kBackupStale) || staleExplained(ctx)) return;
  const std::string names = candidates(ctx);
  Condition& c = ctx.raise(cond::kStaleUnexplained, ctx.now());
  c.summary = "Backup stale and nothing visible over USB explains it; candidates: " + names;
  c.evidence["candidates"] = names;
  c.evidence["visible_causes"] = "none";
  if (!ctx.in().external.outages.empty()) {
    c.evidence["apple_service_outage"] = ctx.in().external.outages.front().service;
  }
}

}  // namespace ibackupmon

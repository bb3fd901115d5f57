// SPDX-License-Identifier: Apache-2.0
#include "alert/action_digest.h"

#include <sstream>

#include "alert/mime.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kDigestNameBytes = 120;
// A digest lists at most this many actions one per line; the rest are counted (history has all).
constexpr std::size_t kMaxLines = 200;

// "10:42 UTC on 2026-12-06"
std::string at(TimePoint t) {
  const std::string stamp = formatRfc3339(t);
  return stamp.substr(11, 5) + " UTC on " + stamp.substr(0, 10);
}

const char* donePhrase(RemediationAction a) {
  switch (a) {
    case RemediationAction::EnableIcloudBackup: return "turned iCloud Backup on";
    case RemediationAction::Restart: return "restarted the device";
    case RemediationAction::LocalBackup: return "backed the device up to this host";
  }
  return "acted on the device";
}

const char* intentPhrase(RemediationAction a) {
  switch (a) {
    case RemediationAction::EnableIcloudBackup: return "turn iCloud Backup on";
    case RemediationAction::Restart: return "restart the device";
    case RemediationAction::LocalBackup: return "back the device up to this host";
  }
  return "act on the device";
}

std::string outcomePhrase(const std::string& outcome) {
  namespace o = action_outcome;
  if (outcome == o::kVerified) return "verified";
  if (outcome == o::kNotVerified) return "not verified: the switch still read off afterwards";
  if (outcome == o::kPending) return "waiting for it to come back";
  if (outcome == o::kCameBack) return "it came back readable";
  if (outcome == o::kCameBackLocked) return "it came back locked: someone must unlock it";
  if (outcome == o::kCameBackUntrusted) return "it came back not trusting this host";
  if (outcome == o::kDidNotComeBack) return "it did not come back";
  return cleanDeviceText(outcome, 64);
}

std::string deviceLabel(const DigestContent& c, const std::string& udid) {
  auto it = c.devices.find(udid);
  std::string name;
  if (it != c.devices.end()) {
    const DeviceStatus& d = it->second;
    name = d.label && !d.label->empty() ? *d.label : d.name;
    if (d.slot && d.slot->label) name += ", slot " + *d.slot->label;
  }
  const std::string id = cleanDeviceText(udid, 100);
  return name.empty() ? id : cleanDeviceText(name, kDigestNameBytes) + " (" + id + ")";
}

bool isSkip(const ActionRecord& r) {
  return r.result == ActionResult::Skipped;
}

}  // namespace

std::string actionNote(const ActionRecord& r) {
  const std::string by = r.trigger == ActionTrigger::Manual ? " (asked for by an admin)" : "";
  const std::string when = " at " + at(r.requestedAt);
  std::string s;
  switch (r.result) {
    case ActionResult::Done: s = std::string("ibackupmond ") + donePhrase(r.action) + when; break;
    case ActionResult::Pending:
      s = std::string("ibackupmond ") + donePhrase(r.action) + when;
      if (r.outcome.empty()) s += ", not finished yet";
      break;
    case ActionResult::Failed:
      s = std::string("ibackupmond tried to ") + intentPhrase(r.action) + when + ", which failed";
      if (!r.reason.empty()) s += ": " + remediationReasonText(r.reason);
      break;
    case ActionResult::Interrupted:
      s = std::string("ibackupmond began to ") + intentPhrase(r.action) + when +
          "; the daemon stopped before it ended";
      break;
    case ActionResult::DryRun:
      s = std::string("ibackupmond would have ") + donePhrase(r.action) + when + " (dry run)";
      break;
    case ActionResult::Skipped:
      s = std::string("ibackupmond did not ") + intentPhrase(r.action) + when;
      if (!r.reason.empty()) s += ": " + remediationReasonText(r.reason);
      break;
  }
  s += by;
  if (!r.outcome.empty()) s += ", " + outcomePhrase(r.outcome);
  if (!r.comment.empty()) s += " (\"" + cleanDeviceText(r.comment, 200) + "\")";
  return s;
}

RenderedEmail renderActionDigest(const DigestContent& c) {
  // Counts per action and result, in the table's order.
  std::map<std::pair<int, int>, int> counts;
  std::map<std::pair<std::string, std::string>, int> skips;  // (action, reason) -> rows
  std::vector<const ActionRecord*> lines;
  for (const auto& r : c.records) {
    ++counts[{static_cast<int>(r.action), static_cast<int>(r.result)}];
    if (isSkip(r)) {
      ++skips[{toString(r.action), r.reason}];
    } else {
      lines.push_back(&r);
    }
  }
  const std::string host = cleanDeviceText(c.host, 255);
  std::ostringstream t, h;
  const std::string period = "from " + at(c.from) + " to " + at(c.to);
  t << "What ibackupmond did on " << host << " " << period << ".\n\n";
  h << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
    << "<p>What ibackupmond did on " << htmlEscape(host) << " " << htmlEscape(period) << ".</p>\n";

  // One titled list in both bodies; an empty list is left out.
  auto section = [&](const std::string& title, const std::string& htmlTitle,
                     const std::vector<std::string>& items) {
    if (items.empty()) return;
    t << title << ":\n";
    h << "<h3>" << htmlEscape(htmlTitle) << "</h3>\n<ul>\n";
    for (const auto& item : items) {
      t << "  - " << item << "\n";
      h << "<li>" << htmlEscape(item) << "</li>\n";
    }
    t << "\n";
    h << "</ul>\n";
  };

  std::vector<std::string> summary;
  for (std::size_t a = 0; a < kRemediationActionNames.size(); ++a) {
    std::string row;
    for (std::size_t res = 0; res < kActionResultNames.size(); ++res) {
      auto it = counts.find({static_cast<int>(a), static_cast<int>(res)});
      if (it == counts.end()) continue;
      row += (row.empty() ? "" : ", ") + std::to_string(it->second) + " " + kActionResultNames[res];
    }
    if (!row.empty()) summary.push_back(std::string(kRemediationActionNames[a]) + ": " + row);
  }
  section("Summary", "Summary", summary);

  std::vector<std::string> acted;
  for (std::size_t i = 0; i < lines.size() && i < kMaxLines; ++i) {
    acted.push_back(deviceLabel(c, lines[i]->udid) + ": " + actionNote(*lines[i]));
  }
  if (lines.size() > kMaxLines) {
    acted.push_back("... and " + std::to_string(lines.size() - kMaxLines) +
                    " more: ibackupmonctl history UDID shows each device's actions");
  }
  section("Actions (oldest first)", "Actions (oldest first)", acted);

  std::vector<std::string> held;
  for (const auto& [key, n] : skips) {
    held.push_back(key.first + ": " + std::to_string(n) + " x " +
                   (key.second.empty() ? std::string("no reason recorded")
                                       : remediationReasonText(key.second)));
  }
  section("Not acted on, by reason (a skip is recorded when a device's decision changes)",
          "Not acted on, by reason", held);

  const std::string tail =
      "Failed actions, and restarts after which a device did not come back readable, were "
      "mailed when they happened. `ibackupmonctl history UDID` shows a device's audit trail.";
  t << tail << "\n\n-- \nibackupmon on " << host << ", " << formatRfc3339(c.to) << "\n";
  h << "<p>" << htmlEscape(tail) << "</p>\n<p><small>ibackupmon on " << htmlEscape(host) << ", "
    << formatRfc3339(c.to) << "</small></p>\n</body></html>\n";

  const std::size_t done = lines.size();
  std::string subject = "[ibackupmon] " + host + ": what ibackupmon did, " + std::to_string(done) +
                        (done == 1 ? " action" : " actions");
  if (!skips.empty()) subject += ", " + std::to_string(c.records.size() - done) + " skipped";
  return RenderedEmail{subject, t.str(), h.str()};
}

}  // namespace ibackupmon

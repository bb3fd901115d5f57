// SPDX-License-Identifier: Apache-2.0
// history: backups, condition intervals, attach sessions and value changes over time.
#include <nlohmann/json.hpp>

#include <ostream>

#include "commands.h"
#include "core/duration.h"
#include "core/sanitize.h"
#include "core/time_format.h"
#include "report/status_json.h"
#include "report/text_cells.h"
#include "store/action_repository.h"

namespace ibackupmon::ctl {
namespace {

nlohmann::json parsedOrText(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  return j.is_discarded() ? nlohmann::json(json) : j;
}

}  // namespace

nlohmann::json actionsJson(const std::vector<ActionRecord>& actions) {
  auto out = nlohmann::json::array();
  for (const auto& a : actions) {
    out.push_back({{"action", toString(a.action)},
                   {"trigger", toString(a.trigger)},
                   {"result", toString(a.result)},
                   {"reason", a.reason},
                   {"outcome", a.outcome},
                   {"requested_at", formatRfc3339(a.requestedAt)},
                   {"finished_at", timeOrNull(a.finishedAt)},
                   {"comment", a.comment}});
  }
  return out;
}

void printActions(std::ostream& o, const std::vector<ActionRecord>& actions) {
  for (const auto& a : actions) {
    o << "  " << formatRfc3339(a.requestedAt) << "  " << toString(a.action) << "  "
      << toString(a.trigger) << "  " << toString(a.result);
    if (!a.outcome.empty()) o << "  " << terminalCell(a.outcome, 40);
    if (!a.reason.empty()) o << "  (" << terminalCell(remediationReasonText(a.reason), 120) << ")";
    if (!a.comment.empty()) o << "  \"" << terminalCell(a.comment, 120) << "\"";
    o << "\n";
  }
}

Expected<std::vector<ActionRecord>> deviceActions(const CliArgs& args, const std::string& udid,
                                                  int limit) {
  auto path = resolveDatabasePath(args);
  if (!path) return tl::unexpected(path.error());
  auto repo = ActionRepository::openReadOnly(*path);
  if (!repo) return tl::unexpected(repo.error());
  return repo->forDevice(udid, limit);
}

namespace {

nlohmann::json timelineJson(const DeviceTimeline& t) {
  nlohmann::json j = {{"udid", t.udid}};
  auto& backups = j["backups"] = nlohmann::json::array();
  for (const auto& b : t.backups) {
    backups.push_back({{"kind", b.kind},
                       {"at", formatRfc3339(b.at)},
                       {"observed_at", formatRfc3339(b.observedAt)}});
  }
  auto& conditions = j["conditions"] = nlohmann::json::array();
  for (const auto& c : t.conditions) {
    conditions.push_back({{"id", c.conditionId},
                          {"severity", toString(c.severity)},
                          {"opened", formatRfc3339(c.opened)},
                          {"closed", timeOrNull(c.closed)},
                          {"evidence", parsedOrText(c.evidenceJson)}});
  }
  auto& sessions = j["sessions"] = nlohmann::json::array();
  for (const auto& s : t.sessions) {
    sessions.push_back({{"attached", formatRfc3339(s.attached)},
                        {"detached", timeOrNull(s.detached)},
                        {"port", s.port ? nlohmann::json(*s.port) : nlohmann::json(nullptr)},
                        {"slot_label", s.slotLabel ? nlohmann::json(*s.slotLabel) : nullptr}});
  }
  auto& observations = j["observations"] = nlohmann::json::array();
  for (const auto& o : t.observations) {
    observations.push_back({{"at", formatRfc3339(o.at)}, {"changes", parsedOrText(o.changesJson)}});
  }
  return j;
}

std::string span(TimePoint from, const std::optional<TimePoint>& to) {
  if (!to) return formatRfc3339(from) + " -> (open)";
  auto d = std::chrono::duration_cast<Duration>(*to - from);
  return formatRfc3339(from) + " -> " + formatRfc3339(*to) + " (" + formatAge(d) + ")";
}

// "1-2.3.4 (Cart A / 07)": a session's port and the label it had then.
std::string where(const AttachSession& s) {
  std::string out = terminalCell(s.port.value_or("?"), 64);
  if (s.slotLabel) out += " (" + terminalCell(*s.slotLabel, 100) + ")";
  return out;
}

std::string oneLine(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return terminalCell(json, 200);
  std::string out;
  for (const auto& [k, v] : j.items()) {
    out += (out.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return terminalCell(out, 300);
}

void printTimeline(std::ostream& o, const DeviceTimeline& t) {
  o << "History of " << terminalCell(t.udid, 100) << "\n\nBackups (" << t.backups.size() << "):\n";
  for (const auto& b : t.backups) o << "  " << formatRfc3339(b.at) << "  " << b.kind << "\n";
  o << "\nCondition intervals (" << t.conditions.size() << "):\n";
  for (const auto& c : t.conditions) {
    o << "  " << span(c.opened, c.closed) << "  " << toString(c.severity) << "  "
      << terminalCell(c.conditionId, 60) << "  " << oneLine(c.evidenceJson) << "\n";
  }
  o << "\nAttach sessions (" << t.sessions.size() << "):\n";
  const AttachSession* previous = nullptr;  // the last session whose port is known
  for (const auto& s : t.sessions) {
    o << "  " << span(s.attached, s.detached);
    if (s.port) {
      o << "  at " << where(s);
      if (previous && *previous->port != *s.port) o << ", moved from " << where(*previous);
      previous = &s;
    }
    o << "\n";
  }
  o << "\nValue changes (" << t.observations.size() << "):\n";
  for (const auto& v : t.observations) {
    o << "  " << formatRfc3339(v.at) << "  " << oneLine(v.changesJson) << "\n";
  }
}

}  // namespace

int runHistory(const Context& ctx) {
  if (auto ok = expectArgs(ctx.args, 1, true, false); !ok) return fail(ctx, ok.error());
  auto store = openStore(ctx.args, OpenMode::ReadOnly);
  if (!store) return fail(ctx, store.error());
  std::string udid = ctx.args.positional[0];
  auto timeline = (*store)->timeline(udid);
  if (!timeline && timeline.error().code == "not_found") {
    // Not an exact UDID: accept a unique prefix/suffix of a live device, as `device` does.
    auto fleet = (*store)->loadStatus();
    if (!fleet) return fail(ctx, fleet.error());
    auto device = findDevice(*fleet, udid);
    if (!device) return fail(ctx, device.error());
    timeline = (*store)->timeline(device->udid);
  }
  if (!timeline) return fail(ctx, timeline.error());
  auto actions = deviceActions(ctx.args, timeline->udid, 0);
  if (!actions) return fail(ctx, actions.error());
  if (ctx.args.json) {
    auto j = timelineJson(*timeline);
    j["actions"] = actionsJson(*actions);
    ctx.out << dumpJson(j) << "\n";
  } else {
    printTimeline(ctx.out, *timeline);
    ctx.out << "\nActions (" << actions->size() << "):\n";
    printActions(ctx.out, *actions);
  }
  return 0;
}

}  // namespace ibackupmon::ctl

// SPDX-License-Identifier: Apache-2.0
// act / remediation: ask the running daemon (root only) to act on a device, or to pause, resume
// or report remediation (docs/remediation.md). The daemon decides with every safety rule and
// writes the audit row; this only builds the request and prints the answer.
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "core/duration.h"
#include "core/sanitize.h"
#include "core/time_format.h"
#include "daemon_client.h"

namespace ibackupmon::ctl {
namespace {

// An act returns once the device request is done: a session, the request and a probe cycle.
constexpr std::chrono::seconds kActTimeout{180};

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? sanitizeDeviceString(it->get<std::string>()) : "";
}

}  // namespace

int runAct(const Context& ctx) {
  const auto& p = ctx.args.positional;
  if (p.size() != 2) {
    return failDaemon(ctx, {"usage",
                            "act UDID enable-icloud-backup|restart [--dry-run] "
                            "[--comment TEXT]"});
  }
  if (p[1] != "enable-icloud-backup" && p[1] != "restart") {
    return failDaemon(ctx, {"usage",
                            "act: expected the action enable-icloud-backup or restart, "
                            "found '" +
                                sanitizeDeviceString(p[1], 64) + "'"});
  }
  nlohmann::json req{
      {"command", "act"}, {"udid", p[0]}, {"action", p[1]}, {"dry_run", ctx.args.dryRun}};
  if (ctx.args.comment) req["comment"] = *ctx.args.comment;
  auto reply = requestDaemon(ctx.args, req.dump(), kActTimeout);
  if (!reply) return failDaemon(ctx, reply.error());
  auto j = nlohmann::json::parse(*reply);
  if (ctx.args.json) {
    ctx.out << j.dump(2) << "\n";
    return kExitDone;
  }
  const std::string result = text(j, "result");
  const std::string outcome = text(j, "outcome");
  ctx.out << text(j, "action") << " " << text(j, "udid") << ": " << result
          << (outcome.empty() || outcome == result ? "" : ", " + outcome)
          << (result == "pending" ? " (ibackupmonctl history UDID shows how it came back)" : "")
          << "\n";
  return kExitDone;
}

int runRemediation(const Context& ctx) {
  const auto& p = ctx.args.positional;
  if (p.size() != 1 || (p[0] != "pause" && p[0] != "resume" && p[0] != "status")) {
    return failDaemon(ctx,
                      {"usage", "remediation pause [--until TIME|DURATION] | resume | status"});
  }
  nlohmann::json req{{"command", "remediation"}, {"op", p[0]}};
  if (ctx.args.until) {
    if (p[0] != "pause") return failDaemon(ctx, {"usage", "--until: only with remediation pause"});
    if (auto d = parseDuration(*ctx.args.until)) {
      req["until"] = formatRfc3339(ctx.now + *d);
    } else if (auto t = parseRfc3339(*ctx.args.until)) {
      req["until"] = formatRfc3339(*t);
    } else {
      return failDaemon(ctx, {"usage",
                              "--until: expected an RFC 3339 time (2026-12-01T00:00:00Z) or a "
                              "duration (3d), found '" +
                                  sanitizeDeviceString(*ctx.args.until) + "'"});
    }
  }
  auto reply = requestDaemon(ctx.args, req.dump());
  if (!reply) return failDaemon(ctx, reply.error());
  auto j = nlohmann::json::parse(*reply);
  if (ctx.args.json) {
    ctx.out << j.dump(2) << "\n";
    return kExitDone;
  }
  const auto& actions = j["actions"];
  auto on = [&](const char* a) { return actions.value(a, false) ? "on" : "off"; };
  ctx.out << "remediation: "
          << (j.value("paused", false)
                  ? "paused" + (j["paused_until"].is_string() ? " until " + text(j, "paused_until")
                                                              : std::string(" until resume"))
                  : std::string("active"))
          << (j.value("dry_run", false) ? ", dry run" : "") << "; enable_icloud_backup "
          << on("enable_icloud_backup") << ", restart " << on("restart");
  if (j["restart_in_flight"].is_string()) {
    ctx.out << "; waiting for " << text(j, "restart_in_flight") << " to come back";
  }
  ctx.out << "\n";
  return kExitDone;
}

}  // namespace ibackupmon::ctl

// SPDX-License-Identifier: Apache-2.0
// ack / unack / acks: ask the running daemon over its control socket ([alerts] control_socket);
// the daemon persists the acknowledgement, so this works only while ibackupmond runs.
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "core/duration.h"
#include "core/sanitize.h"
#include "core/time_format.h"
#include "daemon_client.h"

namespace ibackupmon::ctl {
namespace {

int request(const Context& ctx, const nlohmann::json& req) {
  auto reply = requestDaemon(ctx.args, req.dump());
  if (!reply) return failDaemon(ctx, reply.error());
  auto j = nlohmann::json::parse(*reply);  // requestDaemon checked it is an object
  if (ctx.args.json) {
    ctx.out << j.dump(2) << "\n";
    return kExitDone;
  }
  if (j.contains("removed")) {
    ctx.out << "Removed " << j["removed"].get<int>() << " acknowledgement(s)\n";
  } else if (j.contains("acks")) {
    for (const auto& a : j["acks"]) {
      ctx.out << a["udid"].get<std::string>() << "  "
              << (a["condition"].is_string() ? a["condition"].get<std::string>() : "(all)") << "  "
              << (a["until"].is_string() ? "until " + a["until"].get<std::string>() : "no expiry")
              << "  " << a["comment"].get<std::string>() << "\n";
    }
  } else {
    const auto& a = j["ack"];
    ctx.out << "Acknowledged " << a["udid"].get<std::string>() << " "
            << (a["condition"].is_string() ? a["condition"].get<std::string>() : "(all conditions)")
            << (a["until"].is_string() ? " until " + a["until"].get<std::string>() : "")
            << (j.value("known_device", true) ? "" : " (no such device seen yet)") << "\n";
  }
  return kExitDone;
}

}  // namespace

int runAck(const Context& ctx) {
  const auto& p = ctx.args.positional;
  if (p.empty() || p.size() > 2)
    return failDaemon(ctx, {"usage", "ack UDID [CONDITION] [--until TIME]"});
  nlohmann::json req{{"command", "ack"}, {"udid", p[0]}};
  if (p.size() == 2) req["condition"] = p[1];
  if (ctx.args.until) {
    // "--until 2026-12-01T00:00:00Z", or a duration from now ("3d", "12h").
    // A time with an offset is sent in UTC.
    auto time = parseRfc3339(*ctx.args.until);
    if (auto d = parseDuration(*ctx.args.until)) {
      req["until"] = formatRfc3339(ctx.now + *d);
    } else if (time) {
      req["until"] = formatRfc3339(*time);
    } else if (time.error().code == time_error::kValue) {  // a time, but not one that exists
      return failDaemon(ctx, {"usage", "--until: " + time.error().message + ", found '" +
                                           sanitizeDeviceString(*ctx.args.until) + "'"});
    } else {
      return failDaemon(ctx, {"usage",
                              "--until: expected an RFC 3339 time (2026-12-01T00:00:00Z) or a "
                              "duration (3d), found '" +
                                  sanitizeDeviceString(*ctx.args.until) + "'"});
    }
  }
  if (ctx.args.comment) req["comment"] = *ctx.args.comment;
  return request(ctx, req);
}

int runUnack(const Context& ctx) {
  const auto& p = ctx.args.positional;
  if (p.empty() || p.size() > 2) return failDaemon(ctx, {"usage", "unack UDID [CONDITION]"});
  nlohmann::json req{{"command", "unack"}, {"udid", p[0]}};
  if (p.size() == 2) req["condition"] = p[1];
  return request(ctx, req);
}

int runAcks(const Context& ctx) {
  if (!ctx.args.positional.empty()) return failDaemon(ctx, {"usage", "acks takes no arguments"});
  return request(ctx, nlohmann::json{{"command", "acks"}});
}

}  // namespace ibackupmon::ctl

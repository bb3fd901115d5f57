// SPDX-License-Identifier: Apache-2.0
// The control protocol's alert commands ack, unack and acks (docs/alerts.md): one JSON object per
// line in, one out. CommandDispatcher hands them here; handleControl also takes lines directly.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "alert/mime.h"
#include "app/alert_engine.h"
#include "app/control_commands.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

bool validId(const std::string& s, bool allowUpper) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           (allowUpper && c >= 'A' && c <= 'Z');
  });
}

json failure(const std::string& message, std::string_view code = control_code::kBadArguments) {
  return json{{"ok", false}, {"error", message}, {"code", code}};
}

json ackToJson(const AlertAck& a) {
  json j{{"udid", a.udid},
         {"condition", a.condition.empty() ? json(nullptr) : json(a.condition)},
         {"created_at", formatRfc3339(a.createdAt)},
         {"comment", a.comment}};
  j["until"] = a.until ? json(formatRfc3339(*a.until)) : json(nullptr);
  return j;
}

std::string field(const json& req, const char* name) {
  auto it = req.find(name);
  return it != req.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string AlertEngine::control(const std::string& line) {
  json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    return failure("request: expected one JSON object per line", control_code::kBadRequest).dump();
  }
  std::string command = field(req, "command");
  std::string udid = field(req, "udid");
  std::string condition = field(req, "condition");
  TimePoint now = clock_.now();
  if (command == "acks") {
    json list = json::array();
    for (const auto& a : acks_) list.push_back(ackToJson(a));
    return json{{"ok", true}, {"acks", list}}.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (command != "ack" && command != "unack") {
    return failure("command: expected ack, unack or acks, found \"" + stripControls(command) + "\"",
                   control_code::kUnknownCommand)
        .dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (!validId(udid, true)) return failure("udid: expected a device UDID").dump();
  if (!condition.empty() && !validId(condition, false)) {
    return failure("condition: expected a condition id such as backup_stale").dump();
  }
  if (command == "unack") {
    auto removed = repo_.removeAcks(udid, condition);
    if (!removed) return failure(removed.error().message, control_code::kFailed).dump();
    if (auto acks = repo_.loadAcks()) acks_ = std::move(*acks);
    spdlog::info("alerts: {} acknowledgement(s) of {} {} removed", *removed, udid, condition);
    evaluate();
    return json{{"ok", true}, {"removed", *removed}}.dump();
  }
  AlertAck ack{udid, condition, std::nullopt, now,
               truncateUtf8(stripControls(field(req, "comment")), 500)};
  if (std::string until = field(req, "until"); !until.empty()) {
    auto parsed = parseRfc3339(until);
    if (!parsed) {
      return failure("until: " + parsed.error().message + ", found \"" + stripControls(until) +
                     "\"")
          .dump();
    }
    ack.until = *parsed;
    if (*ack.until <= now)
      return failure("until: " + stripControls(until) + " is in the past").dump();
  }
  if (auto ok = repo_.putAck(ack); !ok) {
    return failure(ok.error().message, control_code::kFailed).dump();
  }
  if (auto acks = repo_.loadAcks()) acks_ = std::move(*acks);
  spdlog::info("alerts: {} {} acknowledged{}", udid,
               condition.empty() ? "(all conditions)" : condition,
               ack.until ? " until " + formatRfc3339(*ack.until) : "");
  evaluate();
  bool known = view_ && std::any_of(view_->devices.begin(), view_->devices.end(),
                                    [&](const DeviceStatus& d) { return d.udid == udid; });
  return json{{"ok", true}, {"ack", ackToJson(ack)}, {"known_device", known}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/control_commands.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/sanitize.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "ack, acks or unack"
std::string listing(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out.empty() ? "none (this daemon serves no commands)" : out;
}

std::string failure(std::string_view code, const std::string& message,
                    const std::vector<std::string>& commands) {
  return dump(json{{"ok", false}, {"error", message}, {"code", code}, {"commands", commands}});
}

}  // namespace

std::string controlError(std::string_view code, std::string_view message) {
  return dump(json{{"ok", false}, {"error", message}, {"code", code}});
}

Expected<void> CommandDispatcher::add(std::string name, ControlAccess access,
                                      ControlHandler handler) {
  if (name.empty()) return makeError("control_command", "a control command needs a name");
  if (!handler) return makeError("control_command", "control command " + name + " has no handler");
  if (commands_.count(name) != 0) {
    return makeError("control_command", "control command " + name + " is registered twice");
  }
  commands_.emplace(std::move(name), Entry{access, std::move(handler)});
  return {};
}

std::vector<std::string> CommandDispatcher::commands() const {
  std::vector<std::string> names;
  names.reserve(commands_.size());
  for (const auto& [name, entry] : commands_) names.push_back(name);
  return names;
}

void CommandDispatcher::dispatch(std::string line, ControlPeer peer, ControlReply reply) const {
  json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    reply(failure(control_code::kBadRequest, "request: expected one JSON object per line",
                  commands()));
    return;
  }
  auto field = req.find("command");
  if (field == req.end() || !field->is_string()) {
    reply(failure(control_code::kBadRequest,
                  "command: expected a string, one of " + listing(commands()), commands()));
    return;
  }
  std::string command = field->get<std::string>();
  auto it = commands_.find(command);
  if (it == commands_.end()) {
    reply(failure(control_code::kUnknownCommand,
                  "command: expected " + listing(commands()) + ", found \"" +
                      sanitizeDeviceString(command, 128) + "\"",
                  commands()));
    return;
  }
  const Entry& entry = it->second;
  if (entry.access == ControlAccess::RootOnly && !peer.isRoot()) {
    spdlog::info("control socket: refused {} to uid {}", command,
                 peer.uid ? std::to_string(*peer.uid) : std::string("unknown"));
    reply(controlError(control_code::kRefused, command + ": only root may run this command"));
    return;
  }
  // A handler that throws before replying still answers its client, exactly once.
  auto replied = std::make_shared<std::atomic<bool>>(false);
  ControlReply once = [replied, reply](std::string r) {
    if (!replied->exchange(true)) reply(std::move(r));
  };
  try {
    entry.handler(ControlRequest{std::move(command), std::move(line), peer}, once);
  } catch (const std::exception& e) {
    spdlog::error("control socket: {} failed: {}", it->first, e.what());
    once(controlError(control_code::kFailed, it->first + ": " + e.what()));
  }
}

}  // namespace ibackupmon

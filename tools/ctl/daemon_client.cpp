// SPDX-License-Identifier: Apache-2.0
#include "daemon_client.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "config/config_loader.h"
#include "core/line_client.h"

namespace ibackupmon::ctl {

Expected<std::string> controlSocketPath(const CliArgs& args) {
  if (args.socket) return *args.socket;
  auto config = args.config ? loadConfig(*args.config, ConfigOrigin::Explicit)
                            : loadConfig(kDefaultConfigPath, ConfigOrigin::Default);
  if (!config) return makeError("config", config.error().message);
  return config->alerts.controlSocket;
}

namespace {

// exchangeLine's errors in this command's words.
Error unreachable(const std::string& path, const Error& e) {
  const std::string& c = e.code;
  if (c == line_error::kPathTooLong) return {"usage", "socket path too long: " + path};
  if (c == line_error::kSocket) return {daemon_error::kUnreachable, "socket: " + e.message};
  if (c == line_error::kConnect) {
    return {daemon_error::kUnreachable,
            "cannot reach ibackupmond at " + path + ": " + e.message +
                " (is it running? are you root or in group ibackupmon?)"};
  }
  if (c == line_error::kSend)
    return {daemon_error::kUnreachable, "write to " + path + ": " + e.message};
  return {daemon_error::kUnreachable, "no reply from ibackupmond on " + path};
}

// The daemon's reply codes (lib/app/control_commands.h) as requestDaemon's error codes.
const char* errorCodeFor(const std::string& replyCode) {
  if (replyCode == "no_such_device") return daemon_error::kNoSuchDevice;
  if (replyCode == "bad_arguments" || replyCode == "bad_request") {
    return daemon_error::kBadArguments;
  }
  if (replyCode == "failed" || replyCode == "stopping") return daemon_error::kFailed;
  return daemon_error::kRefused;  // "refused", "unknown_command", none, or newer than us
}

}  // namespace

Expected<std::string> requestDaemon(const CliArgs& args, const std::string& request,
                                    std::chrono::seconds timeout) {
  auto path = controlSocketPath(args);
  if (!path) return tl::unexpected(path.error());
  auto reply = exchangeLine(*path, request, timeout);
  if (!reply) return tl::unexpected(unreachable(*path, reply.error()));
  auto j = nlohmann::json::parse(*reply, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError(daemon_error::kUnreachable, "unreadable reply from ibackupmond on " + *path);
  }
  auto ok = j.find("ok");
  if (ok != j.end() && ok->is_boolean() && ok->get<bool>()) return reply;
  auto text = [&](const char* name, const std::string& fallback) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  return makeError(errorCodeFor(text("code", "")), text("error", "refused"));
}

int daemonExitCode(const Error& error) {
  const std::string& c = error.code;
  if (c == daemon_error::kUnreachable) return kExitDaemonUnreachable;
  if (c == daemon_error::kRefused) return kExitRefused;
  if (c == daemon_error::kNoSuchDevice) return kExitNoSuchDevice;
  if (c == daemon_error::kFailed) return kExitDaemonFailed;
  if (c == daemon_error::kBadArguments || c == "usage") return kExitBadArguments;
  if (c == "config" || c.rfind("config_", 0) == 0) return kExitConfig;
  return kExitDaemonUnreachable;
}

int failDaemon(const Context& ctx, const Error& error) {
  fail(ctx, error);  // prints the one-line message
  return daemonExitCode(error);
}

}  // namespace ibackupmon::ctl

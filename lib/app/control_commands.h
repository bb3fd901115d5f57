// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The control socket's commands: one table, owned by Application and filled by the components
/// that serve commands. It parses each request line, rejects malformed and unknown requests,
/// checks who may run the command, then hands the request to the command's handler.
///
/// Protocol (docs/alerts.md, "The control socket"), one JSON object per line each way:
///   request   {"command": "NAME", ...arguments}
///   response  {"ok": true, ...}   or   {"ok": false, "error": "MESSAGE", "code": "CODE"}
///
/// A component registers its commands in start() (before the io_context runs):
///
///   if (ctx_.commands) {
///     auto ok = ctx_.commands->add("ack", ControlAccess::AnyPeer,
///                                  [this](ControlRequest req, ControlReply reply) {
///                                    engine_->handleControl(std::move(req.line),
///                                    std::move(reply));
///                                  });
///     if (!ok) return ok;
///   }

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ibackupmon {

/// Who sent a request: the connecting process's uid, from SO_PEERCRED. Under the systemd unit
/// (PrivateUsers=yes) the daemon sees root as 0, its own user as itself and every other uid as
/// 65534, so the only fact a command can rely on is whether the peer is root.
struct ControlPeer {
  std::optional<uid_t> uid;  ///< nullopt when the kernel did not say (then: not root)
  bool isRoot() const { return uid && *uid == 0; }
};

/// Who may run a command. Connecting at all takes root or group ibackupmon (the socket is 0660).
enum class ControlAccess {
  AnyPeer,   ///< every peer that could connect
  RootOnly,  ///< peers with uid 0; others get code "refused"
};

/// The "code" of an {"ok": false} reply.
namespace control_code {
inline constexpr std::string_view kBadRequest = "bad_request";  ///< not a JSON object, no command
inline constexpr std::string_view kUnknownCommand = "unknown_command";
inline constexpr std::string_view kBadArguments = "bad_arguments";  ///< the command's arguments
inline constexpr std::string_view kRefused = "refused";             ///< understood, not done
inline constexpr std::string_view kNoSuchDevice = "no_such_device";
inline constexpr std::string_view kFailed = "failed";  ///< the daemon tried and failed (database)
/// The daemon stopped while the request was under way; what it had started may have happened.
inline constexpr std::string_view kStopping = "stopping";
}  // namespace control_code

struct ControlRequest {
  std::string command;  ///< the "command" field
  std::string line;     ///< the whole request: a JSON object; handlers read their arguments here
  ControlPeer peer;
};

/// Takes one JSON object (no newline). Called exactly once per request, from any thread.
using ControlReply = std::function<void(std::string)>;
/// Must call reply exactly once, now or later (e.g. from its own strand or a worker thread).
using ControlHandler = std::function<void(ControlRequest request, ControlReply reply)>;

/// {"ok":false,"error":MESSAGE,"code":CODE}; the message is made one valid UTF-8 line.
std::string controlError(std::string_view code, std::string_view message);

class CommandDispatcher {
 public:
  /// Registers a command. Error "control_command" when the name is empty or already taken.
  /// Call before the io_context runs (the table is not locked).
  Expected<void> add(std::string name, ControlAccess access, ControlHandler handler);

  /// One request line in; `reply` gets exactly one response. Malformed requests, unknown
  /// commands (the reply lists the registered ones) and peers the command does not allow are
  /// answered here; a handler that throws before replying is answered with code "failed".
  void dispatch(std::string line, ControlPeer peer, ControlReply reply) const;

  /// Registered names, sorted.
  std::vector<std::string> commands() const;
  bool empty() const { return commands_.empty(); }

 private:
  struct Entry {
    ControlAccess access;
    ControlHandler handler;
  };
  std::map<std::string, Entry, std::less<>> commands_;
};

}  // namespace ibackupmon

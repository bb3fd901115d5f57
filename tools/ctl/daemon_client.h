// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Talking to the running ibackupmond over its control socket (--socket, else
/// [alerts] control_socket), and the one exit-code table of every command that does so
/// (docs/ctl.md, "Commands that talk to the daemon"). Such a command builds its request, calls
/// requestDaemon, and on an error returns failDaemon(ctx, error):
///
///   auto reply = requestDaemon(ctx.args, R"({"command":"acks"})");
///   if (!reply) return failDaemon(ctx, reply.error());
///   ... print *reply (the daemon's {"ok": true, ...} line) ...
///   return kExitDone;

#include <chrono>
#include <string>
#include <string_view>

#include "ctl_context.h"

namespace ibackupmon::ctl {

/// Exit codes of the commands that talk to the daemon.
inline constexpr int kExitDone = 0;
inline constexpr int kExitNoSuchDevice = kExitNotFound;    ///< 1: the daemon knows no such device
inline constexpr int kExitBadArguments = kExitUsage;       ///< 64: rejected here or by the daemon
inline constexpr int kExitDaemonUnreachable = kExitIoErr;  ///< 74: not running, no access, silent
inline constexpr int kExitDaemonFailed = 75;  ///< EX_TEMPFAIL: the daemon tried and failed
inline constexpr int kExitRefused = 77;       ///< EX_NOPERM: the daemon refused, with a reason
// kExitConfig (78): the configuration naming the socket is invalid.

/// Error codes requestDaemon returns, each with its exit code in daemonExitCode.
namespace daemon_error {
inline constexpr char kUnreachable[] = "daemon_unreachable";
inline constexpr char kRefused[] = "refused";
inline constexpr char kNoSuchDevice[] = "no_such_device";
inline constexpr char kBadArguments[] = "daemon_bad_arguments";  ///< the daemon's; ours are "usage"
inline constexpr char kFailed[] = "daemon_failed";
}  // namespace daemon_error

/// The socket: --socket, else [alerts] control_socket of --config or the default config.
Expected<std::string> controlSocketPath(const CliArgs& args);

/// One request (a JSON object) to the daemon: one line on a fresh connection (exchangeLine of
/// core/line_client.h), giving up after `timeout` without a reply. The reply when it is
/// {"ok": true, ...}; otherwise an error carrying the daemon's message, its code mapped to a
/// daemon_error code (a code this ibackupmonctl does not know, or none, counts as refused);
/// kUnreachable when connecting, writing or reading failed; "usage" when the socket path is too
/// long; "config" when the configuration naming the socket cannot be read.
Expected<std::string> requestDaemon(const CliArgs& args, const std::string& request,
                                    std::chrono::seconds timeout = std::chrono::seconds(10));

/// The exit code of an error of requestDaemon or of the command's own argument checks.
int daemonExitCode(const Error& error);

/// Prints "ibackupmonctl: MESSAGE" and returns daemonExitCode(error).
int failDaemon(const Context& ctx, const Error& error);

}  // namespace ibackupmon::ctl

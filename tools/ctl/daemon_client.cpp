// SPDX-License-Identifier: Apache-2.0
#include "daemon_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>

#include "config/config_loader.h"

namespace ibackupmon::ctl {

Expected<std::string> controlSocketPath(const CliArgs& args) {
  if (args.socket) return *args.socket;
  auto config = args.config ? loadConfig(*args.config, ConfigOrigin::Explicit)
                            : loadConfig(kDefaultConfigPath, ConfigOrigin::Default);
  if (!config) return makeError("config", config.error().message);
  return config->alerts.controlSocket;
}

Expected<std::string> exchangeLine(const std::string& path, const std::string& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return makeError("usage", "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return makeError(daemon_error::kUnreachable, std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return makeError(daemon_error::kUnreachable,
                     "cannot reach ibackupmond at " + path + ": " + std::strerror(errno) +
                         " (is it running? are you root or in group ibackupmon?)");
  }
  std::string line = request + "\n";
  // A daemon that refuses the connection (too many clients) answers and closes before reading:
  // the write then fails, and its answer is still there to read and show.
  const bool sent =
      ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
  const int sendErrno = errno;
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
    } else if (!sent) {
      return makeError(daemon_error::kUnreachable,
                       "write to " + path + ": " + std::strerror(sendErrno));
    } else {
      return makeError(daemon_error::kUnreachable, "no reply from ibackupmond on " + path);
    }
  }
  return reply.substr(0, reply.find('\n'));
}

namespace {

// The daemon's reply codes (lib/app/control_commands.h) as requestDaemon's error codes.
const char* errorCodeFor(const std::string& replyCode) {
  if (replyCode == "no_such_device") return daemon_error::kNoSuchDevice;
  if (replyCode == "bad_arguments" || replyCode == "bad_request") {
    return daemon_error::kBadArguments;
  }
  if (replyCode == "failed") return daemon_error::kFailed;
  return daemon_error::kRefused;  // "refused", "unknown_command", none, or newer than us
}

}  // namespace

Expected<std::string> requestDaemon(const CliArgs& args, const std::string& request) {
  auto path = controlSocketPath(args);
  if (!path) return tl::unexpected(path.error());
  auto reply = exchangeLine(*path, request);
  if (!reply) return reply;
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

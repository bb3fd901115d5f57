// SPDX-License-Identifier: Apache-2.0
// ack / unack / acks: ask the running daemon over its control socket ([alerts] control_socket);
// the daemon persists the acknowledgement, so this works only while ibackupmond runs.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "config/config_loader.h"
#include "core/duration.h"
#include "core/sanitize.h"
#include "core/time_format.h"

namespace ibackupmon::ctl {
namespace {

Expected<std::string> socketPath(const CliArgs& args) {
  if (args.socket) return *args.socket;
  auto config = args.config ? loadConfig(*args.config, ConfigOrigin::Explicit)
                            : loadConfig(kDefaultConfigPath, ConfigOrigin::Default);
  if (!config) return makeError("config", config.error().message);
  return config->alerts.controlSocket;
}

// One request line out, one reply line back.
Expected<std::string> roundTrip(const std::string& path, const std::string& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return makeError("usage", "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError("control", std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return makeError("control", "cannot reach ibackupmond at " + path + ": " +
                                    std::strerror(errno) +
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
      return makeError("control", "write to " + path + ": " + std::strerror(sendErrno));
    } else {
      return makeError("control", "no reply from ibackupmond on " + path);
    }
  }
  return reply.substr(0, reply.find('\n'));
}

int request(const Context& ctx, const nlohmann::json& req) {
  auto path = socketPath(ctx.args);
  if (!path) return fail(ctx, path.error());
  auto reply = roundTrip(*path, req.dump());
  if (!reply) return fail(ctx, reply.error());
  auto j = nlohmann::json::parse(*reply, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ctx, Error{"control", "unreadable reply"});
  if (!j.value("ok", false))
    return fail(ctx, Error{"usage", j.value("error", std::string("refused"))});
  if (ctx.args.json) {
    ctx.out << j.dump(2) << "\n";
    return 0;
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
  return 0;
}

}  // namespace

int runAck(const Context& ctx) {
  const auto& p = ctx.args.positional;
  if (p.empty() || p.size() > 2) return fail(ctx, {"usage", "ack UDID [CONDITION] [--until TIME]"});
  nlohmann::json req{{"command", "ack"}, {"udid", p[0]}};
  if (p.size() == 2) req["condition"] = p[1];
  if (ctx.args.until) {
    // "--until 2026-12-01T00:00:00Z", or a duration from now ("3d", "12h").
    if (auto d = parseDuration(*ctx.args.until)) {
      req["until"] = formatRfc3339(ctx.now + *d);
    } else if (parseRfc3339(*ctx.args.until)) {
      req["until"] = *ctx.args.until;
    } else {
      return fail(ctx, {"usage",
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
  if (p.empty() || p.size() > 2) return fail(ctx, {"usage", "unack UDID [CONDITION]"});
  nlohmann::json req{{"command", "unack"}, {"udid", p[0]}};
  if (p.size() == 2) req["condition"] = p[1];
  return request(ctx, req);
}

int runAcks(const Context& ctx) {
  if (!ctx.args.positional.empty()) return fail(ctx, {"usage", "acks takes no arguments"});
  return request(ctx, nlohmann::json{{"command", "acks"}});
}

}  // namespace ibackupmon::ctl

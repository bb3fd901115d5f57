// SPDX-License-Identifier: Apache-2.0
#include "core/line_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ibackupmon {

Expected<std::string> exchangeLine(const std::string& socketPath, std::string_view request,
                                   std::optional<std::chrono::milliseconds> timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.size() >= sizeof addr.sun_path) {
    return makeError(line_error::kPathTooLong,
                     "longer than " + std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(line_error::kSocket, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (timeout) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(*timeout).count();
    timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return makeError(line_error::kConnect, std::strerror(errno));
  }
  std::string line(request);
  line += '\n';
  bool sent = true;
  int sendErrno = 0;
  for (std::size_t off = 0; off < line.size();) {
    const ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      sent = false;
      sendErrno = errno;
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
    } else if (!sent) {
      return makeError(line_error::kSend, std::strerror(sendErrno));
    } else {
      return makeError(line_error::kNoReply,
                       n == 0 ? "closed without a reply" : std::string(std::strerror(errno)));
    }
  }
  return reply.substr(0, reply.find('\n'));
}

}  // namespace ibackupmon

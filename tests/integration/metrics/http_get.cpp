// SPDX-License-Identifier: Apache-2.0
#include "http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base64.h"

namespace ibackupmon::testing {
namespace {

bool complete(const std::string& raw) {
  const auto split = raw.find("\r\n\r\n");
  if (split == std::string::npos) return false;
  std::string head = raw.substr(0, split);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = head.find("\r\ncontent-length:");
  if (at == std::string::npos) return false;
  const auto length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
  return raw.size() - split - 4 >= length;
}

}  // namespace

std::string basicAuth(const std::string& user, const std::string& password) {
  return "Basic " + base64Encode(user + ":" + password);
}

HttpReply httpGet(std::uint16_t port, const std::string& path, const std::string& authorization,
                  const std::string& extraHeaders) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    reply.error = std::string("socket: ") + std::strerror(errno);
    return reply;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    reply.error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return reply;
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  request += extraHeaders + "\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  // Read until the Content-Length is complete: the server may keep the socket open a while.
  std::string raw;
  char buf[65536];
  for (ssize_t got; (got = recv(fd, buf, sizeof buf, 0)) > 0;) {
    raw.append(buf, got);
    if (complete(raw)) break;
  }
  close(fd);
  const auto split = raw.find("\r\n\r\n");
  if (split == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) {
    reply.error = "malformed reply: " + raw.substr(0, 80);
    return reply;
  }
  reply.headers = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  reply.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  return reply;
}

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#include "ctl_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sanitize.h"
#include "device_values.h"

namespace sim {
namespace {

int connectTo(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool sendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string readAll(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

int runCtl(int argc, char** argv) {
  std::string control;
  std::vector<std::string> command;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--control" && i + 1 < argc)
      control = argv[++i];
    else
      command.push_back(a);
  }
  if (control.empty() || command.empty()) {
    std::cerr << "usage: ibackupmon-sim ctl --control PATH COMMAND [ARGS]\n"
                 "commands: list | attach UDID | detach UDID | set UDID DOMAIN KEY VALUE |\n"
                 "  fault UDID NAME [ARG] | fault UDID clear [NAME] | trust UDID accept|deny |\n"
                 "  restart-usbmuxd SECONDS | events\n";
    return 2;
  }
  // The control protocol is JSON, which carries only UTF-8: a VALUE of raw bytes travels as
  // "string-hex:" (device_values.h); any other argument must be text.
  if (command[0] == "set" && command.size() == 5) command[4] = portableValueText(command[4]);
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (!ibackupmon::isValidUtf8(command[i])) {
      std::cerr << "ibackupmon-sim ctl: argument " << i + 1
                << " is not valid UTF-8 (only a set VALUE may be raw bytes)\n";
      return 2;
    }
  }
  int fd = connectTo(control);
  if (fd < 0) {
    std::cerr << "ibackupmon-sim ctl: cannot connect to " << control << ": " << std::strerror(errno)
              << "\n";
    return 3;
  }
  bool sent = sendAll(fd, nlohmann::json(command).dump() + "\n");
  std::string reply = sent ? readAll(fd) : "";
  ::close(fd);
  auto j = nlohmann::json::parse(reply, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::cerr << "ibackupmon-sim ctl: no valid reply from " << control << "\n";
    return 3;
  }
  std::cout << j.value("output", "");
  if (!j.value("ok", false)) {
    std::cerr << "ibackupmon-sim ctl: " << command[0] << ": " << j.value("error", "failed") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace sim

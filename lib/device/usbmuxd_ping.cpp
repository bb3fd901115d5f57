// SPDX-License-Identifier: Apache-2.0
#include "device/usbmuxd_ping.h"

#include <fcntl.h>
#include <netdb.h>
#include <plist/plist.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace ibackupmon {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kHeaderSize = 16;
constexpr std::uint32_t kPlistVersion = 1;
constexpr std::uint32_t kPlistMessage = 8;
constexpr const char* kDefaultSocket = "/var/run/usbmuxd";

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void putLe32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint32_t readLe32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Rounded up: poll() given the truncated milliseconds would wake up to 1 ms before the deadline.
int remainingMs(Clock::time_point end) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(end - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

UsbmuxdPing absent(const std::string& what, int err) {
  return {UsbmuxdPingResult::Absent, what + ": " + std::strerror(err)};
}

// Waits until fd is ready for `events` or the deadline passes; false on timeout.
bool waitFor(int fd, short events, Clock::time_point end) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remainingMs(end));
    if (n > 0) return true;
    if (n == 0 && Clock::now() >= end) return false;
    if (n == 0) continue;
    if (errno != EINTR) return true;  // let the following call report the error
  }
}

struct Target {
  int family = AF_UNIX;
  sockaddr_storage addr{};
  socklen_t len = 0;
};

bool resolve(const std::string& address, Target& t, std::string& error) {
  std::string path;
  if (address.starts_with("UNIX:")) {
    path = address.substr(5);
  } else if (address.find('/') != std::string::npos) {
    path = address;
  }
  if (!path.empty() || address.find(':') == std::string::npos) {
    if (path.empty()) path = address;
    sockaddr_un un{};
    if (path.size() >= sizeof un.sun_path) {
      error = "usbmuxd socket path too long: " + path;
      return false;
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, path.c_str(), path.size() + 1);
    std::memcpy(&t.addr, &un, sizeof un);
    t.len = sizeof un;
    t.family = AF_UNIX;
    return true;
  }
  auto colon = address.rfind(':');
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (int rc = ::getaddrinfo(host.c_str(), address.substr(colon + 1).c_str(), &hints, &found);
      rc != 0 || found == nullptr) {
    error = "usbmuxd address " + address + ": " + ::gai_strerror(rc);
    return false;
  }
  std::memcpy(&t.addr, found->ai_addr, found->ai_addrlen);
  t.len = found->ai_addrlen;
  t.family = found->ai_family;
  ::freeaddrinfo(found);
  return true;
}

}  // namespace

std::string usbmuxdAddress() {
  const char* env = std::getenv("USBMUXD_SOCKET_ADDRESS");
  return env != nullptr && *env != '\0' ? env : kDefaultSocket;
}

std::string usbmuxdListDevicesPacket(unsigned tag) {
  plist_t dict = plist_new_dict();
  plist_dict_set_item(dict, "MessageType", plist_new_string("ListDevices"));
  plist_dict_set_item(dict, "ClientVersionString", plist_new_string("ibackupmond"));
  plist_dict_set_item(dict, "ProgName", plist_new_string("ibackupmond"));
  plist_dict_set_item(dict, "kLibUSBMuxVersion", plist_new_uint(3));
  char* xml = nullptr;
  std::uint32_t len = 0;
  plist_to_xml(dict, &xml, &len);
  plist_free(dict);
  std::string body(xml != nullptr ? xml : "", xml != nullptr ? len : 0);
  std::free(xml);
  std::string out;
  putLe32(out, kHeaderSize + static_cast<std::uint32_t>(body.size()));
  putLe32(out, kPlistVersion);
  putLe32(out, kPlistMessage);
  putLe32(out, tag);
  return out + body;
}

UsbmuxdPing pingUsbmuxd(const std::string& address, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  Target target;
  std::string error;
  if (!resolve(address, target, error)) return {UsbmuxdPingResult::Absent, error};
  Fd fd(::socket(target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return absent("socket", errno);
  const std::string where = "usbmuxd at " + address;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&target.addr), target.len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) return absent("connect " + where, errno);
    // A full listen backlog keeps a connect pending: usbmuxd is not accepting, which is a wedge.
    if (!waitFor(fd.get(), POLLOUT, end)) {
      return {UsbmuxdPingResult::Silent, where + ": connect not accepted within the deadline"};
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return absent("connect " + where, err);
  }
  const std::string request = usbmuxdListDevicesPacket(1);
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return absent("send to " + where, errno);
    if (!waitFor(fd.get(), POLLOUT, end)) {
      return {UsbmuxdPingResult::Silent, where + ": request not taken within the deadline"};
    }
  }
  unsigned char header[kHeaderSize];
  std::size_t got = 0;
  while (got < kHeaderSize) {
    if (!waitFor(fd.get(), POLLIN, end)) {
      return {UsbmuxdPingResult::Silent, where +
                                             ": accepted ListDevices but answered nothing within " +
                                             std::to_string(deadline.count()) + " ms"};
    }
    ssize_t n = ::recv(fd.get(), header + got, kHeaderSize - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      // Closing on us is how usbmuxd goes away, not how it wedges.
      return {UsbmuxdPingResult::Absent, where + ": closed the connection without a reply"};
    } else if (errno != EAGAIN && errno != EINTR) {
      return absent("recv from " + where, errno);
    }
  }
  std::uint32_t length = readLe32(header);
  if (length < kHeaderSize || readLe32(header + 12) != 1) {
    return {UsbmuxdPingResult::Answered, where + ": answered with an unexpected header"};
  }
  return {UsbmuxdPingResult::Answered, where + ": answered"};
}

const char* toString(UsbmuxdPingResult r) {
  switch (r) {
    case UsbmuxdPingResult::Answered: return "answered";
    case UsbmuxdPingResult::Absent: return "absent";
    case UsbmuxdPingResult::Silent: return "silent";
  }
  return "unknown";
}

UsbmuxdPingWatch::UsbmuxdPingWatch(UsbmuxdPingOptions options,
                                   std::function<void(const UsbmuxdPing&)> report)
    : options_(options), report_(std::move(report)), address_(usbmuxdAddress()) {
  thread_ = std::thread([this] { run(); });
}

UsbmuxdPingWatch::~UsbmuxdPingWatch() {
  stop();
}

void UsbmuxdPingWatch::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UsbmuxdPingWatch::setOptions(UsbmuxdPingOptions options) {
  {
    std::lock_guard lock(mutex_);
    options_ = options;
  }
  wake_.notify_all();
}

void UsbmuxdPingWatch::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    UsbmuxdPingOptions o = options_;
    lock.unlock();
    UsbmuxdPing ping = pingUsbmuxd(address_, o.deadline);
    lock.lock();
    if (stopping_) break;
    report_(ping);
    wake_.wait_for(lock, o.interval, [&] { return stopping_; });
  }
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Tells a wedged usbmuxd from an absent one. A raw client with a deadline (libusbmuxd's own
/// calls may block for as long as usbmuxd keeps the connection open): connect, send one
/// ListDevices in usbmuxd's plist protocol, wait for the reply header. A socket that is missing
/// or refuses is "absent" (normal on an idle host: Debian's udev rule stops usbmuxd with the last
/// device); one that accepts but answers nothing in time is "silent", a wedge.
///
///   UsbmuxdPingWatch watch({interval, deadline}, [&](const UsbmuxdPing& p) { ... });
///   ... watch.stop();   // joins; returns within one deadline

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ibackupmon {

enum class UsbmuxdPingResult { Answered, Absent, Silent };

struct UsbmuxdPing {
  UsbmuxdPingResult result = UsbmuxdPingResult::Absent;
  std::string detail;  ///< what happened, for the log ("connect /var/run/usbmuxd: No such file")
};

/// Where libusbmuxd would connect: USBMUXD_SOCKET_ADDRESS ("UNIX:/path" or "HOST:PORT"), else
/// /var/run/usbmuxd.
std::string usbmuxdAddress();

/// One ListDevices round trip to `address` within `deadline` (connect, send and reply together).
UsbmuxdPing pingUsbmuxd(const std::string& address, std::chrono::milliseconds deadline);

/// The usbmuxd ListDevices request packet (16-byte header and XML plist), tag `tag`.
std::string usbmuxdListDevicesPacket(unsigned tag);

const char* toString(UsbmuxdPingResult r);

struct UsbmuxdPingOptions {
  std::chrono::milliseconds interval{30000};  ///< between pings
  std::chrono::milliseconds deadline{5000};   ///< one ping's bound
};

/// Pings usbmuxd every interval on its own thread and hands each result to `report` (on that
/// thread: implementations only post). Nothing else runs on the thread, so a watcher stuck in
/// libusbmuxd cannot hold it up.
class UsbmuxdPingWatch {
 public:
  UsbmuxdPingWatch(UsbmuxdPingOptions options, std::function<void(const UsbmuxdPing&)> report);
  ~UsbmuxdPingWatch();
  UsbmuxdPingWatch(const UsbmuxdPingWatch&) = delete;
  UsbmuxdPingWatch& operator=(const UsbmuxdPingWatch&) = delete;

  /// Stops and joins; no report after it returns.
  void stop();
  /// Takes a new interval and deadline from the next ping on.
  void setOptions(UsbmuxdPingOptions options);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  UsbmuxdPingOptions options_;
  std::function<void(const UsbmuxdPing&)> report_;
  std::string address_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The usbmuxd side: accepts clients on a UNIX path or TCP address, answers the plist protocol
/// and hands Connect-ed sockets to the device (lockdownd or a started service).

#include <memory>
#include <string>

#include "core/error.h"
#include "sim_asio.h"
#include "simulator.h"

namespace sim {

class UsbmuxServer {
 public:
  /// `address`: a UNIX socket path ("/run/x.sock", "UNIX:/run/x.sock") or "HOST:PORT".
  UsbmuxServer(Simulator& sim, std::string address);
  ~UsbmuxServer();

  ibackupmon::Expected<void> open();
  void close();
  /// Takes the socket away for `seconds`, cutting every client, then serves again with new
  /// DeviceIDs (what a usbmuxd restart looks like to clients).
  void restart(int seconds);
  /// What clients put in USBMUXD_SOCKET_ADDRESS (the bound port for "HOST:0").
  std::string clientAddress() const;

 private:
  Task<void> acceptLoop(
      std::shared_ptr<asio::basic_socket_acceptor<asio::generic::stream_protocol>> acc);

  Simulator& sim_;
  std::string address_;
  std::string unixPath_;
  std::shared_ptr<asio::basic_socket_acceptor<asio::generic::stream_protocol>> acceptor_;
  std::string boundAddress_;
};

/// Serves one usbmuxd client connection until it closes (or becomes a device connection).
Task<void> serveUsbmuxClient(Simulator& sim, Socket socket);

}  // namespace sim

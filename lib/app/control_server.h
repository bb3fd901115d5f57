// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's control socket ([alerts] control_socket, default /run/ibackupmon/control.sock):
/// a UNIX stream socket speaking one JSON object per line each way (docs/alerts.md). Created with
/// mode 0660 and, when the group exists, group ibackupmon: only root and that group may connect.
/// Each request goes to the handler with the peer's uid (SO_PEERCRED); what the commands are and
/// who may run each is CommandDispatcher's business (control_commands.h).
/// Nothing here blocks the io thread: replies are written asynchronously, a connection reads its
/// next request only once the reply to the previous one is queued, a client whose unread replies
/// pile up past a cap is dropped, connections are capped, and accept errors (EMFILE...) back off
/// and retry instead of ending the accept loop.
///
///   ControlServer server(io, path, [&](ControlPeer peer, std::string line, ControlReply reply) {
///     dispatcher.dispatch(std::move(line), peer, std::move(reply)); });
///   if (auto ok = server.start(); !ok) ...;   server.stop();

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "app/asio.h"
#include "app/control_commands.h"
#include "core/error.h"

namespace ibackupmon {

class ControlServer {
 public:
  /// Gets one request line (without its newline) and who sent it; must call reply exactly once,
  /// from any thread.
  using Handler = std::function<void(ControlPeer peer, std::string line, ControlReply reply)>;

  ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                std::string group = "ibackupmon");
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds. An existing socket nobody answers on is left from a crash and replaced; anything
  /// else at the path is never removed. Errors, each naming the path and the cause:
  /// "control_socket_taken" when another process listens on it or it is not a socket (a start-up
  /// error: the path is shared with something else), "control_socket" when it cannot be created.
  Expected<void> start();
  /// Closes the listener and every connection; removes the socket file. A client still waiting
  /// for a reply gets a "stopping" error line first (control_commands.h).
  void stop();

 private:
  class Connection;
  void accept();
  void retryAccept(const boost::system::error_code& ec);
  void refuse(boost::asio::local::stream_protocol::socket socket);

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  std::string group_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer retryTimer_;
  std::chrono::milliseconds retryDelay_{0};
  std::set<std::shared_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace ibackupmon

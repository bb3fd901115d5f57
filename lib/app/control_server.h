#pragma once
/// The daemon's control socket ([alerts] control_socket, default /run/ibackupmon/control.sock):
/// a UNIX stream socket speaking one JSON object per line each way (docs/alerts.md). Created with
/// mode 0660 and, when the group exists, group ibackupmon: only root and that group may ack.
///
///   ControlServer server(io, path, [&](std::string line, auto reply) {
///     engine.handleControl(std::move(line), std::move(reply)); });
///   if (auto ok = server.start(); !ok) ...;   server.stop();

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "app/asio.h"
#include "core/error.h"

namespace ibackupmon {

class ControlServer {
 public:
  /// Gets one request line; must call reply exactly once, from any thread.
  using Handler = std::function<void(std::string line, std::function<void(std::string)> reply)>;

  ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                std::string group = "ibackupmon");
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds (replacing a stale socket file, refusing when another daemon answers on it).
  /// Errors: "control_socket" naming the path and the cause.
  Expected<void> start();
  /// Closes the listener and every connection; removes the socket file.
  void stop();

 private:
  class Connection;
  void accept();

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  std::string group_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::set<std::shared_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace ibackupmon

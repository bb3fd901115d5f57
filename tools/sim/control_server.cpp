// SPDX-License-Identifier: Apache-2.0
#include "control_server.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace sim {

ControlServer::ControlServer(Simulator& sim, UsbmuxServer& usbmux, std::string path)
    : sim_(sim), usbmux_(usbmux), path_(std::move(path)) {}

ControlServer::~ControlServer() {
  if (acceptor_) ::unlink(path_.c_str());
}

ibackupmon::Expected<void> ControlServer::open() {
  ::unlink(path_.c_str());
  boost::system::error_code ec;
  acceptor_ = std::make_unique<asio::local::stream_protocol::acceptor>(sim_.io());
  asio::local::stream_protocol::endpoint ep(path_);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ibackupmon::makeError("bind", "--control " + path_ + ": " + ec.message());
  asio::co_spawn(sim_.io(), acceptLoop(), asio::detached);
  return {};
}

Task<void> ControlServer::acceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    auto s = co_await acceptor_->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor_->is_open()) co_return;
      continue;
    }
    asio::co_spawn(sim_.io(), serve(Socket(std::move(s))), asio::detached);
  }
}

Task<void> ControlServer::serve(Socket s) {
  std::string line;
  boost::system::error_code ec;
  co_await asio::async_read_until(s, asio::dynamic_buffer(line, 1 << 20), '\n',
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  CommandResult r;
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) {
    r = {false, "", "control request must be a JSON array of strings"};
  } else {
    std::vector<std::string> args;
    for (const auto& a : j) args.push_back(a.is_string() ? a.get<std::string>() : a.dump());
    r = runCommand(sim_, usbmux_, args);
  }
  nlohmann::json out{{"ok", r.ok}, {"output", r.output}, {"error", r.error}};
  std::string reply = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  co_await asio::async_write(s, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace sim

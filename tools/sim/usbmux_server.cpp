// SPDX-License-Identifier: Apache-2.0
#include "usbmux_server.h"

#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>

namespace sim {
namespace {

using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;

bool isUnixAddress(const std::string& a) {
  return a.starts_with("UNIX:") || a.find('/') != std::string::npos;
}

}  // namespace

UsbmuxServer::UsbmuxServer(Simulator& sim, std::string address)
    : sim_(sim), address_(std::move(address)) {
  if (isUnixAddress(address_))
    unixPath_ = address_.starts_with("UNIX:") ? address_.substr(5) : address_;
}

UsbmuxServer::~UsbmuxServer() {
  close();
}

ibackupmon::Expected<void> UsbmuxServer::open() {
  auto acc = std::make_shared<Acceptor>(sim_.io());
  boost::system::error_code ec;
  asio::generic::stream_protocol::endpoint ep;
  if (!unixPath_.empty()) {
    ::unlink(unixPath_.c_str());
    ep = asio::local::stream_protocol::endpoint(unixPath_);
  } else {
    auto colon = address_.rfind(':');
    if (colon == std::string::npos) {
      return ibackupmon::makeError("bad_address",
                                   "--socket " + address_ + ": expected PATH or HOST:PORT");
    }
    auto ip = asio::ip::make_address(address_.substr(0, colon), ec);
    int port = std::atoi(address_.c_str() + colon + 1);
    if (ec || port < 0 || port > 65535) {
      return ibackupmon::makeError("bad_address", "--socket " + address_ + ": bad host or port");
    }
    ep = asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port));
  }
  acc->open(ep.protocol(), ec);
  if (!ec && unixPath_.empty()) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ibackupmon::makeError("bind", "--socket " + address_ + ": " + ec.message());
  if (!unixPath_.empty()) {
    boundAddress_ = "UNIX:" + unixPath_;
  } else {
    asio::ip::tcp::endpoint local;
    local.resize(acc->local_endpoint().size());
    std::memcpy(local.data(), acc->local_endpoint().data(), acc->local_endpoint().size());
    boundAddress_ = local.address().to_string() + ":" + std::to_string(local.port());
    // A restart must come back on the same port, not a new ephemeral one.
    address_ = boundAddress_;
  }
  acceptor_ = acc;
  asio::co_spawn(sim_.io(), acceptLoop(acc), asio::detached);
  return {};
}

void UsbmuxServer::close() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
  acceptor_.reset();
  if (!unixPath_.empty()) ::unlink(unixPath_.c_str());
}

void UsbmuxServer::restart(int seconds) {
  close();
  sim_.closeAllConnections();
  auto timer = std::make_shared<asio::steady_timer>(sim_.io(), std::chrono::seconds(seconds));
  timer->async_wait([this, timer](const boost::system::error_code& ec) {
    if (ec) return;
    sim_.renumber();
    auto r = open();
    sim_.events().record({"sim", "usbmuxd-up", "", "", "", "", r ? "ok" : r.error().message});
  });
}

std::string UsbmuxServer::clientAddress() const {
  return boundAddress_;
}

Task<void> UsbmuxServer::acceptLoop(std::shared_ptr<Acceptor> acc) {
  for (;;) {
    boost::system::error_code ec;
    Socket s = co_await acc->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acc->is_open()) co_return;
      continue;  // e.g. EMFILE: keep serving the clients we have
    }
    asio::co_spawn(sim_.io(), serveUsbmuxClient(sim_, std::move(s)), asio::detached);
  }
}

}  // namespace sim

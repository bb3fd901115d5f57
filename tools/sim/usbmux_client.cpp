// SPDX-License-Identifier: Apache-2.0
// One usbmuxd client connection: request/reply until Listen or Connect changes its role.
#include <deque>

#include "device_connection.h"
#include "usbmux_packet.h"
#include "usbmux_server.h"

namespace sim {
namespace {

using asio::use_awaitable;

/// Owns the client socket so a usbmuxd restart can cut it; after Listen it also queues pushes.
struct UsbmuxClient : Closable, std::enable_shared_from_this<UsbmuxClient> {
  explicit UsbmuxClient(Socket s) : socket(std::move(s)), signal(socket.get_executor()) {}
  void close() override {
    closed = true;
    boost::system::error_code ec;
    socket.close(ec);
    signal.cancel();
  }
  bool push(std::string packet) {
    // A listener that stopped reading must not make us buffer without bound.
    if (closed || queued > 8 * 1024 * 1024) return false;
    queued += packet.size();
    outbox.push_back(std::move(packet));
    signal.cancel();
    return true;
  }
  Socket socket;
  asio::steady_timer signal;
  std::deque<std::string> outbox;
  size_t queued = 0;
  bool closed = false;
};

Task<bool> writeAll(Socket& s, const std::string& bytes) {
  boost::system::error_code ec;
  co_await asio::async_write(s, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

Task<void> watchForClose(std::shared_ptr<UsbmuxClient> c) {
  char buf[256];
  for (;;) {
    boost::system::error_code ec;
    co_await c->socket.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
    if (ec) break;  // anything a listener sends is ignored, as usbmuxd does
  }
  c->close();
}

Task<void> runListener(const std::shared_ptr<UsbmuxClient>& c) {
  asio::co_spawn(c->socket.get_executor(), watchForClose(c), asio::detached);
  while (!c->closed) {
    if (c->outbox.empty()) {
      c->signal.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await c->signal.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    std::string next = std::move(c->outbox.front());
    c->outbox.pop_front();
    c->queued -= next.size();
    bool sent = co_await writeAll(c->socket, next);
    if (!sent) break;
  }
  c->close();
}

std::string pairRecordId(const UsbmuxRequest& r) {
  return dictString(r.body.get(), "PairRecordID").value_or("");
}

}  // namespace

std::string handleSimpleRequest(Simulator& sim, const UsbmuxRequest& req, uint32_t tag,
                                std::string& result);

Task<void> serveUsbmuxClient(Simulator& sim, Socket socket) {
  auto c = std::make_shared<UsbmuxClient>(std::move(socket));
  sim.track("", c);
  std::string header(kUsbmuxHeaderSize, '\0');
  for (;;) {
    boost::system::error_code ec;
    co_await asio::async_read(c->socket, asio::buffer(header),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    auto h = parseUsbmuxHeader(header);
    if (!h) break;  // a length we cannot trust: usbmuxd drops such clients too
    std::string payload(h->length - kUsbmuxHeaderSize, '\0');
    co_await asio::async_read(c->socket, asio::buffer(payload),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    if (sim.usbmuxdWedged()) {  // read, answer nothing: the client waits for its own timeout
      sim.events().record({"usbmuxd", "(wedged)", "", "", "", "", "no answer"});
      continue;
    }
    auto req = parseUsbmuxPayload(*h, payload);
    if (!req) {
      uint32_t code = req.error().code == "bad_version" ? kResultBadVersion : kResultBadCommand;
      sim.events().record({"usbmuxd", "(malformed)", "", "", "", "", req.error().code});
      std::string error = encodeUsbmuxResult(h->tag, code);
      bool sentError = co_await writeAll(c->socket, error);
      if (!sentError) break;
      continue;
    }
    if (req->messageType == "Listen") {
      sim.events().record({"usbmuxd", "Listen", "", "", "", "", "ok"});
      std::string okPacket = encodeUsbmuxResult(h->tag, kResultOk);
      bool sentOk = co_await writeAll(c->socket, okPacket);
      if (!sentOk) break;
      std::weak_ptr<UsbmuxClient> weak = c;
      sim.addListener([weak](const std::string& xml) {
        auto self = weak.lock();
        if (!self) return false;
        return self->push(encodeUsbmuxXml(0, xml));
      });
      co_await runListener(c);
      co_return;
    }
    if (req->messageType == "Connect") {
      auto target = resolveConnect(sim, req->body.get());
      sim.events().record({"usbmuxd", "Connect", target.udid, "", "", target.service,
                           target.result == kResultOk ? "ok" : std::to_string(target.result)});
      std::string resultPacket = encodeUsbmuxResult(h->tag, target.result);
      bool sentResult = co_await writeAll(c->socket, resultPacket);
      if (!sentResult) break;
      if (target.result != kResultOk) continue;
      co_await serveDeviceConnection(sim, c->socket, target);
      co_return;
    }
    std::string result;
    std::string reply = handleSimpleRequest(sim, *req, h->tag, result);
    sim.events().record({"usbmuxd", req->messageType, pairRecordId(*req), "", "", "", result});
    if (reply.empty()) break;
    bool sentReply = co_await writeAll(c->socket, reply);
    if (!sentReply) break;
  }
  c->close();
}

}  // namespace sim

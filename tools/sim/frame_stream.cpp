// SPDX-License-Identifier: Apache-2.0
#include "frame_stream.h"

#include "lockdown_packet.h"

namespace sim {

using asio::use_awaitable;

Task<bool> FrameStream::readMore() {
  char buf[16384];
  boost::system::error_code ec;
  size_t n =
      co_await socket_.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
  if (ec || n == 0) co_return false;
  if (!tls_) {
    plain_.append(buf, n);
    co_return true;
  }
  tls_->feed(std::string_view(buf, n));
  TlsChannel::Status st = tls_->read(plain_);
  if (st == TlsChannel::Status::kError) co_return false;
  if (st == TlsChannel::Status::kClosed) {
    // close_notify: the client goes on in plaintext; whatever followed it is already plaintext.
    plain_ += tls_->takeUnread();
    tls_.reset();
  }
  co_return true;
}

Task<bool> FrameStream::fill(size_t n) {
  while (plain_.size() < n) {
    bool got = co_await readMore();
    if (!got) co_return false;
  }
  co_return true;
}

Task<std::optional<std::string>> FrameStream::readFrame() {
  bool gotPrefix = co_await fill(4);
  if (!gotPrefix) co_return std::nullopt;
  auto len = parseFrameLength(plain_);
  if (!len) co_return std::nullopt;
  bool gotBody = co_await fill(4 + *len);
  if (!gotBody) co_return std::nullopt;
  std::string payload = plain_.substr(4, *len);
  plain_.erase(0, 4 + *len);
  co_return payload;
}

Task<std::optional<std::string>> FrameStream::readExact(size_t n) {
  bool got = co_await fill(n);
  if (!got) co_return std::nullopt;
  std::string out = plain_.substr(0, n);
  plain_.erase(0, n);
  co_return out;
}

Task<bool> FrameStream::writeRaw(const std::string& bytes) {
  if (tls_) {
    tls_->write(bytes);
    bool flushed = co_await flushTls();
    co_return flushed;
  }
  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

Task<bool> FrameStream::flushTls() {
  std::string out = tls_->takeOutgoing();
  if (out.empty()) co_return true;
  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(out), asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

Task<bool> FrameStream::writeFrame(const std::string& payload) {
  std::string frame = encodeFrame(payload);
  if (tls_) {
    tls_->write(frame);
    bool flushed = co_await flushTls();
    co_return flushed;
  }
  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(frame), asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

Task<bool> FrameStream::writePlist(plist_t node, bool binary) {
  std::string payload = binary ? toBinary(node) : toXml(node);
  bool sent = co_await writeFrame(payload);
  co_return sent;
}

Task<bool> FrameStream::startTls(SSL_CTX* ctx) {
  tls_ = std::make_unique<TlsChannel>(ctx);
  if (!plain_.empty()) {
    tls_->feed(plain_);  // a ClientHello that arrived with the previous request
    plain_.clear();
  }
  for (;;) {
    TlsChannel::Status st = tls_->handshake();
    bool flushed = co_await flushTls();
    if (!flushed) break;
    // A TLS 1.3 client sends its first request right behind its Finished: it may already be
    // buffered, so decrypt it now rather than wait on the socket for bytes that already came.
    if (st == TlsChannel::Status::kOk) co_return tls_->read(plain_) == TlsChannel::Status::kOk;
    if (st == TlsChannel::Status::kError) break;
    char buf[16384];
    boost::system::error_code ec;
    size_t n = co_await socket_.async_read_some(asio::buffer(buf),
                                                asio::redirect_error(use_awaitable, ec));
    if (ec || n == 0) break;
    tls_->feed(std::string_view(buf, n));
  }
  tls_.reset();
  co_return false;
}

void FrameStream::close() {
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace sim

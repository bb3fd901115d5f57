// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A device-side connection carrying length-prefixed plists, with an optional TLS layer that can
/// be switched on (StartSession) and off (the client's close_notify after StopSession).

#include <memory>
#include <optional>
#include <string>

#include "plist_util.h"
#include "sim_asio.h"
#include "tls.h"

namespace sim {

class FrameStream {
 public:
  explicit FrameStream(Socket socket) : socket_(std::move(socket)) {}

  /// Next frame payload; nullopt on EOF, I/O error, TLS error or an out-of-bounds length.
  Task<std::optional<std::string>> readFrame();
  /// Sends a frame (length prefix + payload); false when the peer is gone.
  Task<bool> writeFrame(const std::string& payload);
  /// Exactly `n` raw bytes (no length prefix); nullopt when the peer leaves first.
  Task<std::optional<std::string>> readExact(size_t n);
  /// Sends raw bytes (no length prefix); false when the peer is gone.
  Task<bool> writeRaw(const std::string& bytes);
  /// Sends `node` framed, as XML or binary.
  Task<bool> writePlist(plist_t node, bool binary = false);
  /// Runs the server side of a TLS handshake on this connection.
  Task<bool> startTls(SSL_CTX* ctx);
  bool tlsActive() const { return tls_ != nullptr; }
  void close();
  Socket& socket() { return socket_; }

 private:
  Task<bool> fill(size_t n);
  Task<bool> readMore();
  Task<bool> flushTls();

  Socket socket_;
  std::unique_ptr<TlsChannel> tls_;
  std::string plain_;  // decrypted (or raw) bytes not yet consumed
};

}  // namespace sim

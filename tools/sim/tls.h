// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Device-side TLS over memory BIOs, so the same socket carries plaintext before StartSession,
/// TLS during the session and plaintext again after the client's close_notify.

#include <memory>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "core/error.h"
#include "pki.h"

namespace sim {

/// SSL_CTX configured like a device: TLS 1.0 minimum, security level 0, client certificate
/// requested but never verified (libimobiledevice presents the pair record's root certificate).
class TlsServerContext {
 public:
  static ibackupmon::Expected<std::shared_ptr<TlsServerContext>> create(const Pki& pki);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

/// One TLS session: feed it bytes from the network, take bytes to send back.
class TlsChannel {
 public:
  enum class Status { kOk, kNeedMore, kClosed, kError };

  explicit TlsChannel(SSL_CTX* ctx);
  ~TlsChannel();
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;

  void feed(std::string_view ciphertext);
  /// Advances the handshake: kOk when complete, kNeedMore when waiting for the peer.
  Status handshake();
  /// Appends decrypted bytes to `out`; kClosed once the peer's close_notify arrived.
  Status read(std::string& out);
  void write(std::string_view plaintext);
  /// Ciphertext produced so far (handshake records, application data).
  std::string takeOutgoing();
  /// Bytes that arrived after close_notify: the client's next plaintext request.
  std::string takeUnread();

 private:
  SSL* ssl_;
  BIO* in_;   // owned by ssl_
  BIO* out_;  // owned by ssl_
};

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "tls.h"

#include <openssl/err.h>

namespace sim {
namespace {

// Everything a memory BIO holds.
std::string drain(BIO* bio) {
  std::string out;
  char buf[16384];
  int n = 0;
  while ((n = BIO_read(bio, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

ibackupmon::Expected<std::shared_ptr<TlsServerContext>> TlsServerContext::create(const Pki& pki) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return ibackupmon::makeError("tls", "SSL_CTX_new failed");
  std::shared_ptr<TlsServerContext> owner(new TlsServerContext(ctx));
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  // Any client certificate is accepted: devices check the HostID, not the chain.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (SSL_CTX_use_certificate(ctx, pki.deviceCert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, pki.deviceKey.get()) != 1) {
    return ibackupmon::makeError("tls", "device certificate/key rejected by OpenSSL");
  }
  return owner;
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(ctx_);
}

TlsChannel::TlsChannel(SSL_CTX* ctx) : ssl_(SSL_new(ctx)) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
  // The client continues in plaintext after its close_notify: never send one back.
  SSL_set_quiet_shutdown(ssl_, 1);
}

TlsChannel::~TlsChannel() {
  SSL_free(ssl_);
}

void TlsChannel::feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

TlsChannel::Status TlsChannel::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) return Status::kOk;
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Status::kNeedMore;
  return Status::kError;
}

TlsChannel::Status TlsChannel::read(std::string& out) {
  char buf[16384];
  for (;;) {
    ERR_clear_error();
    int r = SSL_read(ssl_, buf, sizeof buf);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Status::kOk;
    if (err == SSL_ERROR_ZERO_RETURN) return Status::kClosed;
    return Status::kError;
  }
}

void TlsChannel::write(std::string_view plaintext) {
  if (!plaintext.empty()) SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
}

std::string TlsChannel::takeOutgoing() {
  return drain(out_);
}

std::string TlsChannel::takeUnread() {
  return drain(in_);
}

}  // namespace sim

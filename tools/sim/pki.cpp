// SPDX-License-Identifier: Apache-2.0
#include "pki.h"

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

namespace sim {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, EvpKeyDeleter>;
using CertPtr = std::unique_ptr<X509, X509Deleter>;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data ? data : "", len > 0 ? static_cast<size_t>(len) : 0);
}

std::string certPem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  return bioText(bio.get());
}

std::string keyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioText(bio.get());
}

std::string rsaPublicPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  OSSL_ENCODER_CTX* ctx =
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr);
  if (ctx) {
    OSSL_ENCODER_to_bio(ctx, bio.get());
    OSSL_ENCODER_CTX_free(ctx);
  }
  return bioText(bio.get());
}

// Real pairing certificates carry empty names; a serial and validity window are enough.
CertPtr makeCert(EVP_PKEY* subjectKey, EVP_PKEY* signKey, long serial, bool ca) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365 * 10);
  X509_set_pubkey(cert.get(), subjectKey);
  if (ca) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, &v3, NID_basic_constraints, "critical,CA:TRUE");
    if (ext) {
      X509_add_ext(cert.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  if (X509_sign(cert.get(), signKey, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

}  // namespace

ibackupmon::Expected<Pki> generatePki() {
  // 1024-bit keys: startup stays well under a second on a busy CI machine, and clients run at
  // security level 0 anyway (real pairing uses 2048; nothing here depends on the size).
  KeyPtr root(EVP_RSA_gen(1024));
  KeyPtr host(EVP_RSA_gen(1024));
  KeyPtr device(EVP_RSA_gen(1024));
  if (!root || !host || !device) return ibackupmon::makeError("pki", "RSA key generation failed");
  CertPtr rootCert = makeCert(root.get(), root.get(), 0, true);
  CertPtr hostCert = makeCert(host.get(), root.get(), 1, false);
  CertPtr deviceCert = makeCert(device.get(), root.get(), 2, false);
  if (!rootCert || !hostCert || !deviceCert) {
    return ibackupmon::makeError("pki", "certificate signing failed");
  }
  Pki pki;
  pki.rootCertPem = certPem(rootCert.get());
  pki.rootKeyPem = keyPem(root.get());
  pki.hostCertPem = certPem(hostCert.get());
  pki.hostKeyPem = keyPem(host.get());
  pki.deviceCertPem = certPem(deviceCert.get());
  pki.devicePublicKeyPem = rsaPublicPem(device.get());
  pki.deviceKey = std::move(device);
  pki.deviceCert = std::move(deviceCert);
  return pki;
}

}  // namespace sim

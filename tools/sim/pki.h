// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Keys and certificates behind every simulated pair record. RSA key generation is slow, so one
/// set is made at startup and shared by all devices; HostIDs stay per device.

#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/error.h"

namespace sim {

struct EvpKeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* c) const { X509_free(c); }
};

/// PEM texts as a pair record stores them, plus the device's own key and certificate for TLS.
struct Pki {
  std::string rootCertPem, rootKeyPem;
  std::string hostCertPem, hostKeyPem;
  std::string deviceCertPem;
  /// "RSA PUBLIC KEY" (PKCS#1), what lockdownd returns as DevicePublicKey.
  std::string devicePublicKeyPem;
  std::unique_ptr<EVP_PKEY, EvpKeyDeleter> deviceKey;
  std::unique_ptr<X509, X509Deleter> deviceCert;
};

/// Generates root, host and device keys (RSA 1024) and certificates signed by the root.
ibackupmon::Expected<Pki> generatePki();

}  // namespace sim

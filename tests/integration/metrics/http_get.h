// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A minimal blocking HTTP/1.0 GET over loopback for tests and benchmarks (no client library:
/// libcurl belongs to lib/alert).

#include <cstdint>
#include <string>

namespace ibackupmon::testing {

struct HttpReply {
  int status = 0;       ///< 0 when the request failed
  std::string headers;  ///< raw header block
  std::string body;
  std::string error;  ///< why status is 0
};

/// GET http://127.0.0.1:port/path, with an Authorization header when given; extraHeaders are
/// whole "Name: value\r\n" lines (e.g. "Accept-Encoding: gzip\r\n", as Prometheus sends).
HttpReply httpGet(std::uint16_t port, const std::string& path,
                  const std::string& authorization = "", const std::string& extraHeaders = "");

/// "Basic base64(user:password)".
std::string basicAuth(const std::string& user, const std::string& password);

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What /metrics answers, apart from the HTTP transport (lib/app/metrics_server.h serves it): the
/// exporter's own fast rendering, gzipped at a speed-first level (docs/performance.md), and the
/// HTTP basic auth check. TLS is left to a reverse proxy (docs/monitoring.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "metrics/metrics_exporter.h"

namespace ibackupmon {

/// A scrape's body: the exposition text, gzipped when the client accepts it.
struct ScrapeBody {
  std::string bytes;
  bool gzipped = false;
};

/// Renders the exporter (thread-safe; takes its lock while rendering) and gzips the text at
/// level 1 when acceptEncoding (the request's Accept-Encoding value) names gzip.
ScrapeBody renderScrapeBody(const MetricsExporter& exporter, std::string_view acceptEncoding);

/// The basic auth credentials /metrics accepts.
class BasicAuthCheck {
 public:
  BasicAuthCheck(std::string user, std::string password)
      : user_(std::move(user)), password_(std::move(password)) {}
  /// True when the Authorization header value carries exactly these credentials; the time taken
  /// does not depend on where a wrong guess differs.
  bool accepts(std::string_view authorization) const;

 private:
  std::string user_;
  std::string password_;
};

/// The credentials of an `Authorization: Basic ...` header value (the scheme in any case, as
/// RFC 7617 says); nullopt when it is not one (other scheme, bad base64, no colon).
std::optional<std::pair<std::string, std::string>> parseBasicAuth(std::string_view header);

/// Checks "HOST:PORT": an IP literal (IPv6 in brackets) and a port from 0 to 65535.
Expected<std::uint16_t> parseListenPort(const std::string& listen);

/// The password for basic auth from its file: the first line, without the line end.
Expected<std::string> readPasswordFile(const std::string& path);

}  // namespace ibackupmon

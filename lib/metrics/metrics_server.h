#pragma once
/// Serves the exporter's metrics at http://<[metrics] listen>/metrics with civetweb (the HTTP
/// server prometheus-cpp's Exposer wraps, used directly so a scrape is the exporter's own fast
/// rendering, gzipped at a speed-first level: docs/performance.md), with optional HTTP basic
/// auth. TLS is left to a reverse proxy (docs/monitoring.md): civetweb's own TLS would need the
/// unversioned libssl at run time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/error.h"
#include "metrics/metrics_exporter.h"

class CivetServer;

namespace ibackupmon {

struct MetricsServerOptions {
  std::string listen = "127.0.0.1:0";  ///< "IPV4:PORT" or "[IPV6]:PORT"; port 0 picks a free one
  std::optional<std::string> basicAuthUser;
  std::optional<std::string> basicAuthPasswordFile;  ///< first line is the password
  int threads = 2;
};

class MetricsServer {
 public:
  /// Binds and starts serving; errors (bad address, port in use, unreadable password file) name
  /// the key and the value. The exporter must outlive the server.
  static Expected<std::unique_ptr<MetricsServer>> start(const MetricsServerOptions& options,
                                                        const MetricsExporter& exporter);
  /// Stops civetweb (waits for a scrape in progress) before the handlers go.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The bound port (the real one when listen asked for port 0).
  std::uint16_t port() const { return port_; }

 private:
  struct Handlers;
  MetricsServer() = default;
  std::unique_ptr<Handlers> handlers_;  // outlives server_: declared first, destroyed last
  std::unique_ptr<CivetServer> server_;
  std::uint16_t port_ = 0;
};

/// The credentials of an `Authorization: Basic ...` header value; nullopt when it is not one
/// (no "Basic " prefix, bad base64, no colon).
std::optional<std::pair<std::string, std::string>> parseBasicAuth(const std::string& header);

/// Checks "HOST:PORT" as civetweb accepts it (an IP literal, IPv6 in brackets, and a port).
Expected<std::uint16_t> parseListenPort(const std::string& listen);

/// The password for basic auth from its file: the first line, without the line end.
Expected<std::string> readPasswordFile(const std::string& path);

}  // namespace ibackupmon

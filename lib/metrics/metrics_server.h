#pragma once
/// Serves the exporter's metrics at http://<[metrics] listen>/metrics through prometheus-cpp's
/// civetweb exposer, with optional HTTP basic auth. TLS is left to a reverse proxy
/// (docs/monitoring.md): civetweb's own TLS would need the unversioned libssl at run time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "metrics/metrics_exporter.h"

namespace prometheus {
class Exposer;
}

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
  /// the key and the value.
  static Expected<std::unique_ptr<MetricsServer>> start(const MetricsServerOptions& options,
                                                        const MetricsExporter& exporter);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The bound port (the real one when listen asked for port 0).
  std::uint16_t port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, std::uint16_t port);
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_;
};

/// Checks "HOST:PORT" as civetweb accepts it (an IP literal, IPv6 in brackets, and a port).
Expected<std::uint16_t> parseListenPort(const std::string& listen);

/// The password for basic auth from its file: the first line, without the line end.
Expected<std::string> readPasswordFile(const std::string& path);

}  // namespace ibackupmon

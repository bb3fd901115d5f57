// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Serves the exporter's metrics at http://<[metrics] listen>/metrics: an HTTP/1.1 server on
/// Boost.Beast over its own Asio thread, which reads request headers asynchronously, so idle or
/// slow clients cost a socket and a timer each, never a thread. Rendering and gzip run on a small
/// pool of their own (never on the thread that owns the daemon's state). Limits against hostile
/// clients (docs/metrics.md): a deadline for the request header, a cap on connections where a
/// new one evicts the oldest still sending its header, one request per connection, and basic auth
/// failures logged (rate-limited) and slowed down per client (AuthThrottle).
///
///   auto server = MetricsServer::start({.listen = "127.0.0.1:0"}, exporter);
///   if (!server) ...server.error().message...;   (*server)->port();

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/auth_throttle.h"
#include "core/error.h"
#include "metrics/metrics_exporter.h"
#include "metrics/scrape_response.h"

namespace ibackupmon {

struct MetricsServerOptions {
  std::string listen = "127.0.0.1:0";  ///< "IPV4:PORT" or "[IPV6]:PORT"; port 0 picks a free one
  std::optional<std::string> basicAuthUser;
  std::optional<std::string> basicAuthPasswordFile;  ///< first line is the password
  int threads = 2;  ///< threads rendering and compressing scrapes (network I/O has its own)
  std::size_t maxConnections = 256;  ///< at the cap a new connection evicts an older one
  std::chrono::milliseconds headerTimeout{5000};  ///< from accept to the end of the header
  std::chrono::milliseconds replyTimeout{30000};  ///< from the header to the reply sent
  AuthThrottlePolicy authThrottle;
};

class MetricsHttpServer;

class MetricsServer {
 public:
  /// Binds and starts serving; errors (bad address, port in use, unreadable password file) name
  /// the key and the value. The exporter must outlive the server.
  static Expected<std::unique_ptr<MetricsServer>> start(const MetricsServerOptions& options,
                                                        const MetricsExporter& exporter);
  /// Closes every connection and waits for a rendering in progress.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The bound port (the real one when listen asked for port 0).
  std::uint16_t port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<MetricsHttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace ibackupmon

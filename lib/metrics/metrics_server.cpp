#include "metrics/metrics_server.h"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <stdexcept>

#include <prometheus/exposer.h>

namespace ibackupmon {
namespace {

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

// Compares every byte whatever the first mismatch, so the time taken does not leak the password.
bool equalConstantTime(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (b.empty() ? 0 : b[i % b.size()]));
  }
  return diff == 0;
}

}  // namespace

Expected<std::uint16_t> parseListenPort(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const auto bad = [&](const std::string& why) {
    return makeError("metrics_listen", "[metrics] listen = \"" + listen + "\": " + why +
                                           " (expected \"HOST:PORT\" with HOST an IPv4 address "
                                           "or [IPv6], e.g. \"127.0.0.1:9847\")");
  };
  if (colon == std::string::npos) return bad("no port");
  const std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (!isIpLiteral(host)) return bad("host is not an IP address");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port is not a number from 0 to 65535");
  }
  return static_cast<std::uint16_t>(value);
}

Expected<std::string> readPasswordFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return makeError("metrics_password_file",
                     "[metrics] basic_auth_password_file \"" + path + "\": cannot read it");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return makeError("metrics_password_file",
                     "[metrics] basic_auth_password_file \"" + path + "\": first line is empty");
  }
  return line;
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, std::uint16_t port)
    : exposer_(std::move(exposer)), port_(port) {}

MetricsServer::~MetricsServer() = default;

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsServerOptions& o,
                                                              const MetricsExporter& exporter) {
  if (auto port = parseListenPort(o.listen); !port) return tl::unexpected(port.error());
  if (o.basicAuthUser.has_value() != o.basicAuthPasswordFile.has_value()) {
    return makeError("metrics_basic_auth",
                     "[metrics] basic_auth_user and basic_auth_password_file go together");
  }
  std::optional<std::string> password;
  if (o.basicAuthPasswordFile) {
    auto read = readPasswordFile(*o.basicAuthPasswordFile);
    if (!read) return tl::unexpected(read.error());
    password = std::move(*read);
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", o.listen, "num_threads",
                                 std::to_string(o.threads), "request_timeout_ms", "10000"});
  } catch (const std::exception& e) {
    return makeError("metrics_listen",
                     "[metrics] listen = \"" + o.listen +
                         "\": cannot listen (address in use or not local?): " + e.what());
  }
  if (password) {
    exposer->RegisterAuth(
        [user = *o.basicAuthUser, pass = *password](const std::string& u, const std::string& p) {
          return equalConstantTime(user, u) & equalConstantTime(pass, p);
        },
        "ibackupmon");
  }
  exposer->RegisterCollectable(exporter.collectable());
  const auto ports = exposer->GetListeningPorts();
  if (ports.empty()) {
    return makeError("metrics_listen", "[metrics] listen = \"" + o.listen + "\": no port bound");
  }
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(exposer), static_cast<std::uint16_t>(ports.front())));
}

}  // namespace ibackupmon

#include "metrics/metrics_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <zlib.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

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

std::optional<std::string> base64Decode(std::string_view in) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

// Level 1: on this repetitive text it is ~2x faster than zlib's default and only ~10 % larger
// (docs/performance.md). Empty on failure: the caller then sends the text uncompressed.
std::string gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int ret = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return ret == Z_STREAM_END ? out : std::string();
}

void respond(mg_connection* conn, const std::string& body, const char* extraHeaders) {
  mg_printf(conn,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "%sContent-Length: %zu\r\n\r\n",
            extraHeaders, body.size());
  mg_write(conn, body.data(), body.size());
}

class ScrapeHandler final : public CivetHandler {
 public:
  explicit ScrapeHandler(const MetricsExporter& exporter) : exporter_(exporter) {}

  bool handleGet(CivetServer* /*server*/, mg_connection* conn) override {
    const std::string text = exporter_.render();
    const char* accept = mg_get_header(conn, "Accept-Encoding");
    if (accept != nullptr && std::strstr(accept, "gzip") != nullptr) {
      if (const std::string packed = gzip(text); !packed.empty()) {
        respond(conn, packed, "Content-Encoding: gzip\r\n");
        return true;
      }
    }
    respond(conn, text, "");
    return true;
  }

 private:
  const MetricsExporter& exporter_;
};

class BasicAuthHandler final : public CivetAuthHandler {
 public:
  BasicAuthHandler(std::string user, std::string password)
      : user_(std::move(user)), password_(std::move(password)) {}

  bool authorize(CivetServer* /*server*/, mg_connection* conn) override {
    const char* header = mg_get_header(conn, "Authorization");
    if (const auto given = header ? parseBasicAuth(header) : std::nullopt) {
      if (equalConstantTime(user_, given->first) & equalConstantTime(password_, given->second)) {
        return true;
      }
    }
    mg_printf(conn,
              "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ibackupmon\"\r\n"
              "Connection: close\r\nContent-Length: 0\r\n\r\n");
    return false;
  }

 private:
  std::string user_;
  std::string password_;
};

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

std::optional<std::pair<std::string, std::string>> parseBasicAuth(const std::string& header) {
  constexpr std::string_view kPrefix = "Basic ";
  if (header.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  const auto decoded = base64Decode(std::string_view(header).substr(kPrefix.size()));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');  // user names cannot contain one; passwords may
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

struct MetricsServer::Handlers {
  explicit Handlers(const MetricsExporter& exporter) : scrape(exporter) {}
  ScrapeHandler scrape;
  std::unique_ptr<BasicAuthHandler> auth;
};

MetricsServer::~MetricsServer() = default;

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsServerOptions& o,
                                                              const MetricsExporter& exporter) {
  if (auto port = parseListenPort(o.listen); !port) return tl::unexpected(port.error());
  if (o.basicAuthUser.has_value() != o.basicAuthPasswordFile.has_value()) {
    return makeError("metrics_basic_auth",
                     "[metrics] basic_auth_user and basic_auth_password_file go together");
  }
  std::unique_ptr<MetricsServer> self(new MetricsServer());
  self->handlers_ = std::make_unique<Handlers>(exporter);
  if (o.basicAuthPasswordFile) {
    auto password = readPasswordFile(*o.basicAuthPasswordFile);
    if (!password) return tl::unexpected(password.error());
    self->handlers_->auth =
        std::make_unique<BasicAuthHandler>(*o.basicAuthUser, std::move(*password));
  }
  try {
    self->server_ = std::make_unique<CivetServer>(
        std::vector<std::string>{"listening_ports", o.listen, "num_threads",
                                 std::to_string(o.threads), "request_timeout_ms", "10000"});
  } catch (const std::exception& e) {
    return makeError("metrics_listen",
                     "[metrics] listen = \"" + o.listen +
                         "\": cannot listen (address in use or not local?): " + e.what());
  }
  // The auth handler goes in before the page handler: no request is ever served unguarded.
  if (self->handlers_->auth) self->server_->addAuthHandler("/metrics", *self->handlers_->auth);
  self->server_->addHandler("/metrics", self->handlers_->scrape);
  const auto ports = self->server_->getListeningPorts();
  if (ports.empty()) {
    return makeError("metrics_listen", "[metrics] listen = \"" + o.listen + "\": no port bound");
  }
  self->port_ = static_cast<std::uint16_t>(ports.front());
  return self;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/metrics_server.h"

#include <spdlog/spdlog.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <list>
#include <thread>

#include "app/asio.h"
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr std::uint32_t kHeaderLimit = 8 * 1024;
constexpr auto kAuthLogEvery = std::chrono::seconds(60);

// The throttle's key: an IPv6 host usually holds a whole /64, so its addresses count as one.
std::string clientKey(const asio::ip::address& a) {
  if (!a.is_v6()) return a.to_string();
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace

class MetricsConnection;

/// Everything the connections share; touched only on the I/O thread, except the exporter, which
/// the render pool reads (MetricsExporter::render is thread-safe).
class MetricsHttpServer {
 public:
  MetricsHttpServer(const MetricsServerOptions& o, const MetricsExporter& e,
                    std::optional<BasicAuthCheck> check)
      : options(o),
        exporter(e),
        auth(std::move(check)),
        throttle(o.authThrottle),
        renderPool(static_cast<std::size_t>(std::max(o.threads, 1))) {}
  ~MetricsHttpServer();

  Expected<std::uint16_t> bind(const std::string& listen, std::uint16_t port);
  void run() {
    accept();
    ioThread_ = std::thread([this] { io.run(); });
  }
  void authFailed(const std::string& peer, const std::string& key, std::string_view header);

  const MetricsServerOptions options;
  const MetricsExporter& exporter;
  const std::optional<BasicAuthCheck> auth;
  asio::io_context io;
  AuthThrottle throttle;
  std::list<std::shared_ptr<MetricsConnection>> connections;  // oldest first
  asio::thread_pool renderPool;

 private:
  void accept();
  void evictOne();
  void stop();

  tcp::acceptor acceptor_{io};
  asio::steady_timer retry_{io};
  bool stopping_ = false;
  SteadyClock::time_point lastAuthLog_{};
  bool authLogged_ = false;
  int authUnlogged_ = 0;
  std::thread ioThread_;
};

/// One request per connection: header (with a deadline), basic auth (after the client's throttle
/// delay, if any), rendering on the pool, reply, close.
class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
 public:
  enum class Phase { Header, AuthWait, Rendering, Replying, Closed };

  MetricsConnection(tcp::socket socket, MetricsHttpServer& server)
      : socket_(std::move(socket)), server_(server) {
    error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    peer_ = ec ? "unknown" : peer.address().to_string();
    key_ = ec ? peer_ : clientKey(peer.address());
  }

  std::list<std::shared_ptr<MetricsConnection>>::iterator where;

  /// Still sending its header or waiting for its auth turn: what a full server evicts first.
  bool evictable() const { return phase_ == Phase::Header || phase_ == Phase::AuthWait; }

  void start() {
    armDeadline(server_.options.headerTimeout);
    parser_.header_limit(kHeaderLimit);
    http::async_read_header(
        socket_, buffer_, parser_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void close() {
    if (phase_ == Phase::Closed) return;
    auto self = shared_from_this();  // the list may hold the last reference
    phase_ = Phase::Closed;
    error_code ec;
    socket_.close(ec);
    deadline_.cancel();
    authWait_.cancel();
    server_.connections.erase(where);
  }

 private:
  void armDeadline(std::chrono::milliseconds after) {
    deadline_.expires_after(after);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      // A wait that completed just as the deadline was moved is not the current one.
      if (!ec && self->deadline_.expiry() <= SteadyClock::now()) self->close();
    });
  }

  void onHeader(error_code ec) {
    if (phase_ == Phase::Closed) return;
    if (ec) {
      close();  // timed out, gone, or not HTTP: nobody to answer
      return;
    }
    armDeadline(server_.options.replyTimeout);
    const auto target = parser_.get().target();
    if (target.substr(0, target.find('?')) != "/metrics") {
      reply(http::status::not_found, "Not found\n");
      return;
    }
    if (!server_.auth) {
      serve();
      return;
    }
    const auto now = SteadyClock::now();
    const auto turn = server_.throttle.admit(key_, now);
    if (!turn) {
      // This client's queue of checks is full: refuse without looking at the credentials.
      const auto wait =
          std::chrono::ceil<std::chrono::seconds>(server_.options.authThrottle.maxWait);
      reply(http::status::too_many_requests, "", {{"Retry-After", std::to_string(wait.count())}});
      return;
    }
    if (*turn <= now) {
      checkAuth();
      return;
    }
    phase_ = Phase::AuthWait;
    authWait_.expires_at(*turn);
    authWait_.async_wait([self = shared_from_this()](error_code waitEc) {
      if (!waitEc && self->phase_ == Phase::AuthWait) self->checkAuth();
    });
  }

  void checkAuth() {
    const auto header = parser_.get()[http::field::authorization];
    const std::string_view given(header.data(), header.size());
    if (server_.auth->accepts(given)) {
      server_.throttle.succeeded(key_);
      serve();
      return;
    }
    if (!given.empty()) server_.authFailed(peer_, key_, given);
    reply(http::status::unauthorized, "", {{"WWW-Authenticate", "Basic realm=\"ibackupmon\""}});
  }

  void serve() {
    if (parser_.get().method() != http::verb::get) {
      reply(http::status::method_not_allowed, "", {{"Allow", "GET"}});
      return;
    }
    phase_ = Phase::Rendering;
    const auto accept = parser_.get()[http::field::accept_encoding];
    asio::post(server_.renderPool,
               [self = shared_from_this(), accept = std::string(accept.data(), accept.size())] {
                 ScrapeBody body = renderScrapeBody(self->server_.exporter, accept);
                 asio::post(self->server_.io, [self, body = std::move(body)]() mutable {
                   if (self->phase_ != Phase::Rendering) return;  // closed while rendering
                   std::vector<std::pair<std::string, std::string>> headers{
                       {"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
                   if (body.gzipped) headers.emplace_back("Content-Encoding", "gzip");
                   self->reply(http::status::ok, std::move(body.bytes), headers);
                 });
               });
  }

  void reply(http::status status, std::string body,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    phase_ = Phase::Replying;
    response_.result(status);
    response_.version(parser_.get().version());
    for (const auto& [name, value] : headers) response_.set(name, value);
    response_.body() = std::move(body);
    response_.keep_alive(false);
    response_.prepare_payload();
    http::async_write(socket_, response_, [self = shared_from_this()](error_code, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      error_code ignored;
      self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
      self->close();
    });
  }

  tcp::socket socket_;
  MetricsHttpServer& server_;
  asio::steady_timer deadline_{server_.io};
  asio::steady_timer authWait_{server_.io};
  boost::beast::flat_buffer buffer_{kHeaderLimit * 2};
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
  std::string peer_;
  std::string key_;
  Phase phase_ = Phase::Header;
};

Expected<std::uint16_t> MetricsHttpServer::bind(const std::string& listen, std::uint16_t port) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(host, ec), port);
  if (!ec) acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  // "[::]:PORT" means IPv6 only, whatever net.ipv6.bindv6only says; IPv4 has its own address.
  if (!ec && endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return makeError("metrics_listen",
                     "[metrics] listen = \"" + listen +
                         "\": cannot listen (address in use or not local?): " + ec.message());
  }
  return acceptor_.local_endpoint().port();
}

void MetricsHttpServer::accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      // Out of file descriptors and the like: try again shortly instead of spinning.
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](error_code waitEc) {
        if (!waitEc && !stopping_) accept();
      });
      return;
    }
    if (connections.size() >= options.maxConnections) evictOne();
    auto connection = std::make_shared<MetricsConnection>(std::move(socket), *this);
    connections.push_back(connection);
    connection->where = std::prev(connections.end());
    connection->start();
    accept();
  });
}

// The oldest connection still sending its header (or waiting for its auth turn) goes, so a flood
// of idle connections cannot lock out a scraper; failing that the oldest of all.
void MetricsHttpServer::evictOne() {
  const auto it = std::find_if(connections.begin(), connections.end(),
                               [](const auto& c) { return c->evictable(); });
  (it != connections.end() ? *it : connections.front())->close();
}

void MetricsHttpServer::authFailed(const std::string& peer, const std::string& key,
                                   std::string_view header) {
  const auto now = SteadyClock::now();
  const int failures = throttle.failed(key, now);
  if (authLogged_ && now - lastAuthLog_ < kAuthLogEvery) {
    ++authUnlogged_;
    return;
  }
  const auto given = parseBasicAuth(header);
  const std::string user = given ? sanitizeDeviceString(given->first, 64) : "(malformed header)";
  const std::string unlogged = authUnlogged_ == 0
                                   ? ""
                                   : fmt::format(
                                         "; {} more failures from any client since the last such "
                                         "line, not logged",
                                         authUnlogged_);
  spdlog::warn(
      "metrics: wrong basic auth credentials from {} for user \"{}\" ({} failures from "
      "it, its next check waits {} ms{})",
      peer, user, failures, throttle.delayFor(key).count(), unlogged);
  authLogged_ = true;
  lastAuthLog_ = now;
  authUnlogged_ = 0;
}

void MetricsHttpServer::stop() {
  stopping_ = true;
  error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
  while (!connections.empty()) connections.front()->close();
  io.stop();
}

MetricsHttpServer::~MetricsHttpServer() {
  if (ioThread_.joinable()) {
    asio::post(io, [this] { stop(); });
    ioThread_.join();
  }
  renderPool.join();  // a rendering in progress reads the exporter
}

MetricsServer::~MetricsServer() = default;

Expected<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsServerOptions& o,
                                                              const MetricsExporter& exporter) {
  const auto port = parseListenPort(o.listen);
  if (!port) return tl::unexpected(port.error());
  if (o.basicAuthUser.has_value() != o.basicAuthPasswordFile.has_value()) {
    return makeError("metrics_basic_auth",
                     "[metrics] basic_auth_user and basic_auth_password_file go together");
  }
  std::optional<BasicAuthCheck> auth;
  if (o.basicAuthPasswordFile) {
    auto password = readPasswordFile(*o.basicAuthPasswordFile);
    if (!password) return tl::unexpected(password.error());
    auth.emplace(*o.basicAuthUser, std::move(*password));
  }
  std::unique_ptr<MetricsServer> self(new MetricsServer());
  self->server_ = std::make_unique<MetricsHttpServer>(o, exporter, std::move(auth));
  const auto bound = self->server_->bind(o.listen, *port);
  if (!bound) return tl::unexpected(bound.error());
  self->port_ = *bound;
  self->server_->run();
  return self;
}

}  // namespace ibackupmon

#include "app/control_server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace ibackupmon {
namespace {

using boost::asio::local::stream_protocol;
constexpr std::size_t kMaxLine = 64 * 1024;

// A socket file nobody answers on is left over from a crash; one that answers is another daemon.
bool somebodyListens(boost::asio::io_context& io, const std::string& path) {
  stream_protocol::socket probe(io);
  boost::system::error_code ec;
  probe.connect(stream_protocol::endpoint(path), ec);
  return !ec;
}

// The runtime directory holds the control socket: 0750 (daemon and group ibackupmon) for each
// directory created here, whatever the umask of whoever started the daemon.
void createRuntimeDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) return;
  createRuntimeDirectories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0750) == 0) ::chmod(dir.c_str(), 0750);
}

}  // namespace

class ControlServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(stream_protocol::socket socket, ControlServer& server)
      : socket_(std::move(socket)), server_(server), buffer_(kMaxLine) {}

  void read() {
    auto self = shared_from_this();
    boost::asio::async_read_until(
        socket_, buffer_, '\n', [this, self](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            if (ec == boost::asio::error::not_found)
              write("{\"ok\":false,\"error\":\"request: line too long\"}");
            close();
            return;
          }
          std::string line(boost::asio::buffers_begin(buffer_.data()),
                           boost::asio::buffers_begin(buffer_.data()) + n - 1);
          buffer_.consume(n);
          auto executor = socket_.get_executor();
          server_.handler_(std::move(line), [self, executor](std::string reply) {
            boost::asio::post(executor, [self, reply = std::move(reply)] {
              self->write(reply);
              self->read();
            });
          });
        });
  }

  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
    server_.connections_.erase(shared_from_this());
  }

 private:
  void write(const std::string& reply) {
    // Replies are small; a blocking write on a local socket is bounded by the peer reading it.
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(reply + "\n"), ec);
  }

  stream_protocol::socket socket_;
  ControlServer& server_;
  boost::asio::streambuf buffer_;
};

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                             std::string group)
    : io_(io),
      path_(std::move(path)),
      handler_(std::move(handler)),
      group_(std::move(group)),
      acceptor_(io) {}

ControlServer::~ControlServer() {
  stop();
}

Expected<void> ControlServer::start() {
  auto fail = [&](const std::string& why) {
    return makeError("control_socket", "alerts.control_socket " + path_ + ": " + why);
  };
  std::error_code fsErr;
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  createRuntimeDirectories(dir);
  if (std::filesystem::exists(path_, fsErr)) {
    if (somebodyListens(io_, path_)) return fail("another process is listening on it");
    std::filesystem::remove(path_, fsErr);
  }
  boost::system::error_code ec;
  mode_t old = ::umask(0117);  // the socket is born 0660: no window with wider permissions
  acceptor_.open(stream_protocol(), ec);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  ::umask(old);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec.message());
  ::chmod(path_.c_str(), 0660);
  if (struct group* g = ::getgrnam(group_.c_str())) {
    if (::chown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
      spdlog::warn("control socket {}: cannot give it to group {}: {}", path_, group_,
                   std::strerror(errno));
    }
  }
  accept();
  return {};
}

void ControlServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
    if (ec || stopped_) return;
    auto conn = std::make_shared<Connection>(std::move(socket), *this);
    connections_.insert(conn);
    conn->read();
    accept();
  });
}

void ControlServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  bool wasOpen = acceptor_.is_open();
  acceptor_.close(ec);
  auto conns = connections_;
  for (const auto& c : conns) c->close();
  if (wasOpen) {
    std::error_code fsErr;
    std::filesystem::remove(path_, fsErr);
  }
}

}  // namespace ibackupmon

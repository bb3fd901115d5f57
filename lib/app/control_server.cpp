// SPDX-License-Identifier: Apache-2.0
#include "app/control_server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace ibackupmon {
namespace {

using boost::asio::local::stream_protocol;
constexpr std::size_t kMaxLine = 64 * 1024;
// Replies queued for a client that has not read them yet (on top of the few hundred KiB the
// kernel's socket buffer holds); one reply alone always goes out, whatever its size. A client that
// pipelines requests without reading reaches this and is dropped.
constexpr std::size_t kMaxUnsent = 256 * 1024;
// ibackupmonctl holds one connection for one request; more than this at once is a runaway client.
constexpr std::size_t kMaxConnections = 32;
constexpr std::chrono::milliseconds kFirstRetry{50};
constexpr std::chrono::milliseconds kMaxRetry{1000};

// A socket file nobody answers on is left over from a crash; one that answers is another daemon.
// The probe does not block: a listener whose backlog is full (EAGAIN) is still a listener.
bool somebodyListens(boost::asio::io_context& io, const std::string& path) {
  stream_protocol::socket probe(io);
  boost::system::error_code ec;
  probe.open(stream_protocol(), ec);
  if (!ec) probe.non_blocking(true, ec);
  if (ec) return false;
  probe.connect(stream_protocol::endpoint(path), ec);
  return !ec || ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

const char* fileKind(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  return "a special file";
}

// The connecting process's uid; unknown when the kernel does not say.
ControlPeer peerOf(stream_protocol::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      len != sizeof cred) {
    return {};
  }
  return ControlPeer{cred.uid};
}

// One last line, written without blocking to a socket about to be closed: a short line fits the
// socket's buffer when nothing else is queued on it; a failed write is the client's loss alone.
void writeLastLine(stream_protocol::socket& socket, const std::string& line) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(boost::asio::buffer(line), ec);
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
      : socket_(std::move(socket)), peer_(peerOf(socket_)), server_(server), buffer_(kMaxLine) {}

  // The next request is read only once the reply to the previous one is queued: a client that
  // pipelines requests is served one at a time, at the pace it reads its replies.
  void read() {
    auto self = shared_from_this();
    boost::asio::async_read_until(
        socket_, buffer_, '\n', [this, self](boost::system::error_code ec, std::size_t n) {
          if (closed_) return;
          if (ec) {
            if (ec == boost::asio::error::not_found) {
              closeAfterWrite_ = true;
              send(controlError(control_code::kBadRequest, "request: line too long"));
            } else if (ec == boost::asio::error::eof && !outbox_.empty()) {
              closeAfterWrite_ = true;  // the client is done sending; it still gets its replies
            } else {
              close();
            }
            return;
          }
          std::string line(boost::asio::buffers_begin(buffer_.data()),
                           boost::asio::buffers_begin(buffer_.data()) + n - 1);
          buffer_.consume(n);
          auto executor = socket_.get_executor();
          awaiting_ = true;
          server_.handler_(peer_, std::move(line), [self, executor](std::string reply) {
            boost::asio::post(executor, [self, reply = std::move(reply)] {
              self->awaiting_ = false;
              if (self->closed_) return;
              self->send(reply);
              if (!self->closed_) self->read();
            });
          });
        });
  }

  // At stop, a client still waiting for its reply (an act whose device request is under way) is
  // told so in one line before the connection closes, rather than seeing only the close. The
  // write does not block; a reply already half written is left as it is, never interleaved.
  void closeForStop() {
    if (!closed_ && awaiting_ && outbox_.empty()) {
      static const std::string kLine =
          controlError(control_code::kStopping,
                       "ibackupmond stopped before it answered; an action it had started may or "
                       "may not have reached the device, and the audit trail records it as "
                       "interrupted") +
          "\n";
      writeLastLine(socket_, kLine);
    }
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.close(ec);
    server_.connections_.erase(shared_from_this());
  }

 private:
  void send(const std::string& reply) {
    if (!outbox_.empty() && unsent_ + reply.size() + 1 > kMaxUnsent) {
      spdlog::warn("control socket {}: dropping a client that does not read its replies",
                   server_.path_);
      close();
      return;
    }
    outbox_.push_back(reply + "\n");
    unsent_ += outbox_.back().size();
    if (outbox_.size() == 1) writeFront();
  }

  void writeFront() {
    auto self = shared_from_this();
    // std::deque keeps the front element in place while later replies are appended.
    boost::asio::async_write(socket_, boost::asio::buffer(outbox_.front()),
                             [this, self](boost::system::error_code ec, std::size_t) {
                               if (closed_) return;
                               if (ec) {
                                 close();
                                 return;
                               }
                               unsent_ -= outbox_.front().size();
                               outbox_.pop_front();
                               if (!outbox_.empty()) {
                                 writeFront();
                               } else if (closeAfterWrite_) {
                                 close();
                               }
                             });
  }

  stream_protocol::socket socket_;
  ControlPeer peer_;
  ControlServer& server_;
  boost::asio::streambuf buffer_;
  std::deque<std::string> outbox_;
  std::size_t unsent_ = 0;
  bool closeAfterWrite_ = false;
  bool awaiting_ = false;  // a request is with the handler and its reply is not queued yet
  bool closed_ = false;
};

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                             std::string group)
    : io_(io),
      path_(std::move(path)),
      handler_(std::move(handler)),
      group_(std::move(group)),
      acceptor_(io),
      retryTimer_(io) {}

ControlServer::~ControlServer() {
  stop();
}

Expected<void> ControlServer::start() {
  auto fail = [&](const std::string& code, const std::string& why) {
    return makeError(code, "alerts.control_socket " + path_ + ": " + why);
  };
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  createRuntimeDirectories(dir);
  // Only a socket is ever replaced: the path may be mistyped onto the database or any other file.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return fail("control_socket_taken", std::string("exists and is ") + fileKind(st.st_mode) +
                                              ", not a socket; refusing to replace it");
    }
    if (somebodyListens(io_, path_)) {
      return fail("control_socket_taken",
                  "another process is listening on it (is another ibackupmond running?)");
    }
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      return fail("control_socket",
                  std::string("cannot remove the stale socket: ") + std::strerror(errno));
    }
  } else if (errno != ENOENT) {
    return fail("control_socket", std::strerror(errno));
  }
  boost::system::error_code ec;
  mode_t old = ::umask(0117);  // the socket is born 0660: no window with wider permissions
  acceptor_.open(stream_protocol(), ec);
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  ::umask(old);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("control_socket", ec.message());
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
    if (ec == boost::asio::error::operation_aborted || stopped_) return;
    if (ec) {
      retryAccept(ec);
      return;
    }
    if (retryDelay_.count() != 0) {
      spdlog::info("control socket {}: accepting connections again", path_);
      retryDelay_ = std::chrono::milliseconds(0);
    }
    if (connections_.size() >= kMaxConnections) {
      refuse(std::move(socket));
    } else {
      auto conn = std::make_shared<Connection>(std::move(socket), *this);
      connections_.insert(conn);
      conn->read();
    }
    accept();
  });
}

// EMFILE, ENFILE, ECONNABORTED...: the listener itself is fine, so try again after a pause that
// grows while the error lasts (a pending connection would otherwise fail again at once).
void ControlServer::retryAccept(const boost::system::error_code& ec) {
  if (retryDelay_.count() == 0) {
    spdlog::warn("control socket {}: cannot accept a connection: {}; retrying", path_,
                 ec.message());
    retryDelay_ = kFirstRetry;
  } else {
    retryDelay_ = std::min(retryDelay_ * 2, kMaxRetry);
  }
  retryTimer_.expires_after(retryDelay_);
  retryTimer_.async_wait([this](const boost::system::error_code& waitEc) {
    if (!waitEc && !stopped_) accept();
  });
}

void ControlServer::refuse(stream_protocol::socket socket) {
  spdlog::warn("control socket {}: more than {} connections; refusing one", path_, kMaxConnections);
  static const std::string kReply = "{\"ok\":false,\"error\":\"too many connections\"}\n";
  writeLastLine(socket, kReply);
  boost::system::error_code ec;
  socket.close(ec);
}

void ControlServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  bool wasOpen = acceptor_.is_open();
  acceptor_.close(ec);
  retryTimer_.cancel();
  auto conns = connections_;
  for (const auto& c : conns) c->closeForStop();
  if (wasOpen) {
    std::error_code fsErr;
    std::filesystem::remove(path_, fsErr);
  }
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ibackupmon::testing {
namespace {

// A descriptor above 2, close-on-exec: dup2 onto 0, 1 or 2 in the child never meets itself.
int above2(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

int openOrFail(const std::string& path, int flags) {
  const int fd = above2(::open(path.c_str(), flags | O_CLOEXEC, 0644));
  if (fd < 0) fail("open " + path);
  return fd;
}

std::vector<std::string> environment(const ProcessOptions& o) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool drop = o.env.contains(name);
    for (const auto& u : o.unsetEnv) drop = drop || name == u;
    if (!drop) env.push_back(entry);
  }
  for (const auto& [k, v] : o.env) env.push_back(k + "=" + v);
  return env;
}

// argv[0] as execvp would find it, but in the child's PATH and before fork (execvp in the child
// of a threaded process could allocate).
std::string programPath(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    const std::string dir = end > start ? path.substr(start, end - start) : ".";
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  errno = ENOENT;
  fail("cannot execute " + name + " (searched PATH=" + path + ")");
}

// Descriptors closed when it goes out of scope.
struct Descriptors {
  std::vector<int> fds;
  int add(int fd) {
    if (fd >= 0) fds.push_back(fd);
    return fd;
  }
  void closeAll() {
    for (int fd : fds) ::close(fd);
    fds.clear();
  }
  ~Descriptors() { closeAll(); }
};

// The child's end of one standard stream, or -1 to leave it as it is; for Capture, the parent's
// end in `parentEnd`.
int childEnd(const Output& o, int& parentEnd) {
  switch (o.kind) {
    case Output::Kind::Capture: {
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) fail("pipe");
      parentEnd = above2(p[0]);
      return above2(p[1]);
    }
    case Output::Kind::Discard: return openOrFail("/dev/null", O_WRONLY);
    case Output::Kind::File: return openOrFail(o.path, O_WRONLY | O_CREAT | O_TRUNC);
    default:  // Default and Inherit; Stdout is dup2(1, 2) in the child
      return -1;
  }
}

// Appends what `fd` has; false at end of file (or error).
bool readSome(int fd, std::string& into) {
  char buf[65536];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) into.append(buf, static_cast<std::size_t>(n));
  return n > 0 || (n < 0 && errno == EINTR);
}

// Milliseconds left until `deadline` for poll(): -1 without one, 0 once passed.
int pollTimeout(std::optional<Deadline> deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

Child::Child(const std::vector<std::string>& argv, ProcessOptions options)
    : stopSignal_(options.stopSignal), stopGrace_(options.stopGrace) {
  if (argv.empty()) throw std::runtime_error("Child: no program");
  // Everything the child needs is made before fork.
  std::vector<std::string> env = environment(options);
  const std::string program = programPath(argv[0], env);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  // The child's ends: closed here once it has them (or when starting it fails).
  Descriptors childEnds;
  try {
    const int input = childEnds.add(
        openOrFail(options.stdinFile.empty() ? "/dev/null" : options.stdinFile, O_RDONLY));
    const int out = childEnds.add(childEnd(options.out, outFd_));
    const int err = childEnds.add(childEnd(options.err, errFd_));
    const bool errToOut = options.err.kind == Output::Kind::Stdout;
    // execve's errno comes back on this pipe; it closes unread when execve succeeds.
    int execStatus[2];
    if (::pipe2(execStatus, O_CLOEXEC) != 0) fail("pipe");
    Descriptors statusRead;
    statusRead.add(execStatus[0]);
    const int statusWrite = childEnds.add(execStatus[1]);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls from here, as the child of a threaded process must.
      if (options.dieWithParent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::dup2(input, 0);
      if (out >= 0) ::dup2(out, 1);
      if (errToOut) {
        ::dup2(1, 2);
      } else if (err >= 0) {
        ::dup2(err, 2);
      }
      ::execve(program.c_str(), args.data(), envp.data());
      const int execErrno = errno;
      (void)!::write(statusWrite, &execErrno, sizeof execErrno);
      ::_exit(127);
    }
    if (pid_ < 0) fail("fork");
    childEnds.closeAll();  // the write end too: the read below ends at exec
    int execErrno = 0;
    ssize_t n;
    while ((n = ::read(execStatus[0], &execErrno, sizeof execErrno)) < 0 && errno == EINTR) {
    }
    if (n == sizeof execErrno) {
      reap(0);
      errno = execErrno;
      fail("cannot execute " + program);
    }
  } catch (...) {
    closePipes();
    throw;
  }
}

Child::~Child() {
  stop();
  closePipes();
}

void Child::closePipes() {
  for (int* fd : {&outFd_, &errFd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

bool Child::reap(int flags) {
  if (reaped_) return true;
  int status = 0;
  rusage usage{};
  pid_t r;
  do {
    r = ::wait4(pid_, &status, flags, &usage);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;  // still running (WNOHANG)
  reaped_ = true;
  if (r == pid_) {
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    termSignal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    cpuSeconds_ = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  return true;
}

void Child::signal(int sig) const {
  if (!reaped_) ::kill(pid_, sig);
}

bool Child::running() {
  return !reap(WNOHANG);
}

std::optional<int> Child::waitExit(Deadline deadline) {
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling step, not a fixed wait
  }
  return exitCode_;
}

int Child::wait() {
  reap(0);
  return exitCode_;
}

void Child::stop() {
  if (reaped_) return;
  signal(stopSignal_);
  if (stopSignal_ != SIGKILL && waitExit(in(stopGrace_))) return;
  signal(SIGKILL);
  reap(0);
}

std::optional<std::string> Child::readLine(Deadline deadline) {
  for (;;) {
    if (const auto newline = outBuffer_.find('\n'); newline != std::string::npos) {
      std::string line = outBuffer_.substr(0, newline);
      outBuffer_.erase(0, newline + 1);
      return line;
    }
    if (outFd_ < 0) return std::nullopt;
    pollfd p{outFd_, POLLIN, 0};
    const int timeout = pollTimeout(deadline);
    if (timeout == 0 || ::poll(&p, 1, timeout) <= 0) return std::nullopt;
    if (!readSome(outFd_, outBuffer_)) return std::nullopt;
  }
}

bool Child::readOutput(std::string& out, std::string& err, std::optional<Deadline> deadline) {
  out += outBuffer_;
  outBuffer_.clear();
  bool outOpen = outFd_ >= 0, errOpen = errFd_ >= 0;
  while (outOpen || errOpen) {
    const int timeout = pollTimeout(deadline);
    if (timeout == 0) return false;
    pollfd fds[2] = {{outOpen ? outFd_ : -1, POLLIN, 0}, {errOpen ? errFd_ : -1, POLLIN, 0}};
    if (::poll(fds, 2, timeout) <= 0) continue;  // interrupted, or the deadline: checked above
    if (outOpen && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) outOpen = readSome(outFd_, out);
    if (errOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) errOpen = readSome(errFd_, err);
  }
  return true;
}

ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult r;
  ProcessOptions o = options;
  for (Output* stream : {&o.out, &o.err}) {
    if (stream->kind == Output::Kind::Default) *stream = Output::capture();
  }
  try {
    Child child(argv, o);
    std::optional<Deadline> deadline;
    if (o.timeout) deadline = in(*o.timeout);
    // Both pipes closed is not yet the exit: a child may close them and go on.
    if (!child.readOutput(r.out, r.err, deadline) || (deadline && !child.waitExit(*deadline))) {
      r.timedOut = true;
      child.signal(SIGKILL);
    }
    child.wait();
    r.exitCode = child.exitCode();
    r.signal = child.termSignal();
    r.cpuSeconds = child.cpuSeconds();
  } catch (const std::runtime_error& e) {
    r.exitCode = 127;  // as a shell says it could not run a command
    r.err = e.what();
  }
  return r;
}

}  // namespace ibackupmon::testing

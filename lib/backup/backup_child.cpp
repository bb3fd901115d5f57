// SPDX-License-Identifier: Apache-2.0
// Hand-written on posix_spawn rather than Boost.Process 1.74: that has no SIGTERM-then-SIGKILL of
// a process group, its wait_for is unreliable, and its async pipes would bring Asio into this
// folder; one poll loop over a pipe, a pidfd and an eventfd does all of it.
#include "backup/backup_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <system_error>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace ibackupmon::backup {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Without a pidfd (an old kernel), how often the supervisor looks for the child's exit.
constexpr milliseconds kExitPollTick{50};
// After the child's end, how long its output may still take to reach us (a process that left
// the group may hold the pipe open).
constexpr milliseconds kDrainLimit{2000};

std::string errnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// NAME=VALUE strings: this process's environment with `overrides` replacing or adding names.
std::vector<std::string> childEnvironment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    if (!overrides.contains(name)) env.push_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    std::string entry = name;
    entry += '=';
    entry += value;
    env.push_back(std::move(entry));
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct Spawned {
  pid_t pid = -1;
  int error = 0;  // errno of a failed spawn
};

// Spawns the child into a new process group with stdin /dev/null and stdout+stderr on `outFd`.
Spawned spawnInGroup(const ChildOptions& options, int outFd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attrs;
  if (int e = posix_spawn_file_actions_init(&actions)) return {-1, e};
  if (int e = posix_spawnattr_init(&attrs)) {
    posix_spawn_file_actions_destroy(&actions);
    return {-1, e};
  }
  int error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (!error) error = posix_spawn_file_actions_adddup2(&actions, outFd, 1);
  if (!error) error = posix_spawn_file_actions_adddup2(&actions, outFd, 2);
  // The daemon's sockets and database stay out of the child, whether marked close-on-exec or not.
  if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  if (!error) error = posix_spawnattr_setsigmask(&attrs, &none);
  if (!error) error = posix_spawnattr_setsigdefault(&attrs, &all);
  if (!error) error = posix_spawnattr_setpgroup(&attrs, 0);
  if (!error)
    error = posix_spawnattr_setflags(
        &attrs, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  if (!error) {
    std::vector<std::string> argv{options.program};
    argv.insert(argv.end(), options.args.begin(), options.args.end());
    auto env = childEnvironment(options.env);
    auto argvp = pointers(argv);
    auto envp = pointers(env);
    const bool hasSlash = options.program.find('/') != std::string::npos;
    error = hasSlash ? posix_spawn(&pid, argvp[0], &actions, &attrs, argvp.data(), envp.data())
                     : posix_spawnp(&pid, argvp[0], &actions, &attrs, argvp.data(), envp.data());
  }
  posix_spawnattr_destroy(&attrs);
  posix_spawn_file_actions_destroy(&actions);
  if (error) return {-1, error};
  return {pid, 0};
}

// True once the child has ended; it stays a zombie (WNOWAIT), so its pid and process group id
// cannot be reused while the rest of its group is dealt with.
bool childEnded(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno == ECHILD;  // reaped behind our back: it has ended all the same
  return info.si_pid == pid;
}

// Reaps the child; its status in `result`.
void reapChild(pid_t pid, ChildResult& result) {
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 || info.si_pid != pid) return;  // reaped elsewhere: status unknown
  if (info.si_code == CLD_EXITED)
    result.exitStatus = info.si_status;
  else
    result.signal = info.si_status;
}

int millisUntil(SteadyClock::time_point when, SteadyClock::time_point now) {
  if (when <= now) return 0;
  const auto ms = std::chrono::ceil<milliseconds>(when - now).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

}  // namespace

const char* childEndName(ChildEnd end) {
  switch (end) {
    case ChildEnd::Exited: return "exited";
    case ChildEnd::TimedOut: return "timed_out";
    case ChildEnd::Stopped: return "stopped";
    case ChildEnd::SpawnFailed: return "spawn_failed";
  }
  return "unknown";
}

bool ChildResult::succeeded() const {
  return end == ChildEnd::Exited && exitStatus == 0 && output.errorCode.value_or(0) == 0 &&
         output.reportedSuccess;
}

BackupChild::BackupChild(ChildOptions options, ProgressFn progress, DoneFn done)
    : options_(std::move(options)), progress_(std::move(progress)), done_(std::move(done)) {}

Expected<std::unique_ptr<BackupChild>> BackupChild::start(ChildOptions options, ProgressFn progress,
                                                          DoneFn done) {
  if (options.program.empty()) return makeError("backup_child_options", "no program to run");
  if (options.timeout <= milliseconds::zero())
    return makeError("backup_child_options", "the timeout must be positive");
  options.killAfter = std::max(options.killAfter, milliseconds::zero());
  std::unique_ptr<BackupChild> child(
      new BackupChild(std::move(options), std::move(progress), std::move(done)));

  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0)
    return makeError("backup_child_pipe", "cannot create a pipe: " + errnoText(errno));
  child->wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (child->wakeFd_ < 0) {
    const int e = errno;
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    return makeError("backup_child_pipe", "cannot create an eventfd: " + errnoText(e));
  }
  child->started_ = SteadyClock::now();
  const auto spawned = spawnInGroup(child->options_, pipeFds[1]);
  ::close(pipeFds[1]);
  if (spawned.error == 0) {
    child->pid_ = spawned.pid;
    child->outFd_ = pipeFds[0];
    fcntl(child->outFd_, F_SETFL, fcntl(child->outFd_, F_GETFL) | O_NONBLOCK);
    // By syscall: glibc 2.36's <sys/pidfd.h> lacks C linkage for C++. -1 on kernels without
    // pidfds (before 5.3): the exit is then polled for.
    child->pidFd_ = static_cast<int>(::syscall(SYS_pidfd_open, child->pid_, 0));
  } else {
    ::close(pipeFds[0]);
    child->spawnError_ = child->options_.program + ": " + errnoText(spawned.error);
  }
  try {
    BackupChild* self = child.get();
    child->thread_ = std::thread([self] {
      if (self->pid_ > 0)
        self->supervise();
      else
        self->superviseSpawnFailure();
    });
  } catch (const std::system_error& e) {
    if (child->pid_ > 0) {
      kill(-child->pid_, SIGKILL);
      ChildResult ignored;
      reapChild(child->pid_, ignored);
    }
    return makeError("backup_child_thread", std::string("cannot start a thread: ") + e.what());
  }
  return child;
}

void BackupChild::supervise() {
  OutputParser parser;
  std::optional<double> reported;
  std::optional<ChildEnd> cause;
  std::optional<SteadyClock::time_point> killAt;
  const auto deadline = started_ + options_.timeout;
  ChildResult result;
  bool ended = false;
  SteadyClock::time_point drainUntil;
  std::vector<char> buffer(std::size_t{64} * 1024);

  for (;;) {
    const auto now = SteadyClock::now();
    if (!ended) {
      const bool stopNow = stopRequested_;
      if (!cause && (stopNow || now >= deadline)) {
        cause = stopNow ? ChildEnd::Stopped : ChildEnd::TimedOut;
        kill(-pid_, SIGTERM);
        killAt = now + options_.killAfter;
      }
      if (killAt && now >= *killAt) {
        kill(-pid_, SIGKILL);
        killAt.reset();
      }
      if (childEnded(pid_)) {
        ended = true;
        kill(-pid_, SIGKILL);  // what is left of its group; the zombie still holds the group id
        reapChild(pid_, result);
        result.took = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started_);
        closeFd(pidFd_);
        drainUntil = SteadyClock::now() + kDrainLimit;
      }
    }
    if (ended && (outFd_ < 0 || now >= drainUntil)) break;

    int waitMs = 60'000;
    if (ended) {
      waitMs = millisUntil(drainUntil, now);
    } else {
      if (!cause) waitMs = std::min(waitMs, millisUntil(deadline, now));
      if (killAt) waitMs = std::min(waitMs, millisUntil(*killAt, now));
      if (pidFd_ < 0) waitMs = std::min(waitMs, static_cast<int>(kExitPollTick.count()));
    }
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {wakeFd_, POLLIN, 0};
    const nfds_t outIndex = n;
    if (outFd_ >= 0) fds[n++] = {outFd_, POLLIN, 0};
    if (!ended && pidFd_ >= 0) fds[n++] = {pidFd_, POLLIN, 0};
    if (poll(fds, n, waitMs) < 0) continue;  // EINTR: look again

    if (fds[0].revents & POLLIN) {
      std::uint64_t count;
      [[maybe_unused]] auto r = ::read(wakeFd_, &count, sizeof count);
    }
    if (outFd_ >= 0 && outIndex < n && fds[outIndex].revents) {
      const ssize_t got = ::read(outFd_, buffer.data(), buffer.size());
      if (got > 0) {
        parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        const auto percent = parser.state().percent;
        if (percent && percent != reported && progress_) progress_(*percent);
        reported = percent;
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        closeFd(outFd_);  // end of output: every writer is gone
      }
    }
  }
  closeFd(outFd_);
  closeWake();
  parser.finish();
  result.output = parser.state();
  result.end = cause.value_or(ChildEnd::Exited);
  DoneFn done = std::move(done_);
  if (done) done(std::move(result));  // may destroy *this: nothing of it is touched after
}

void BackupChild::superviseSpawnFailure() {
  ChildResult result;
  result.end = ChildEnd::SpawnFailed;
  result.spawnError = spawnError_;
  closeWake();
  DoneFn done = std::move(done_);
  if (done) done(std::move(result));
}

void BackupChild::stop() {
  stopRequested_ = true;
  wake();
}

void BackupChild::wake() {
  std::lock_guard lock(wakeMutex_);
  if (wakeFd_ < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wakeFd_, &one, sizeof one);
}

void BackupChild::closeWake() {
  std::lock_guard lock(wakeMutex_);
  closeFd(wakeFd_);
}

BackupChild::~BackupChild() {
  stop();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id())
      thread_.detach();  // destroyed from done: the supervisor returns right after
    else
      thread_.join();
  }
  closeFd(outFd_);
  closeFd(pidFd_);
  closeWake();
}

std::optional<std::string> findProgram(const std::string& name) {
  if (name.empty()) return std::nullopt;
  auto usable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (!usable(name)) return std::nullopt;
    if (name.front() == '/') return name;
    char* cwd = ::getcwd(nullptr, 0);
    if (!cwd) return std::nullopt;
    std::string absolute = std::string(cwd) + "/" + name;
    std::free(cwd);  // NOLINT: getcwd's buffer
    return absolute;
  }
  const char* pathVar = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read only
  const std::string path = pathVar ? pathVar : "/usr/local/bin:/usr/bin:/bin";
  std::size_t begin = 0;
  while (begin <= path.size()) {
    auto end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string candidate = path.substr(begin, end - begin);
    // Only absolute entries: an empty or relative one would mean the working directory.
    if (candidate.starts_with('/')) {
      candidate += '/';
      candidate += name;
      if (usable(candidate)) return candidate;
    }
    begin = end + 1;
  }
  return std::nullopt;
}

}  // namespace ibackupmon::backup

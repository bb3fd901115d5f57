// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one way tests and benchmarks start another program. runProcess runs one to completion and
/// captures what it prints; Child keeps one running (a server, the simulator, the daemon) and
/// stops it when it goes out of scope.
///
///   auto r = runProcess({"idevice_id", "-l"}, {.env = sim.env(), .timeout = 10s});
///   EXPECT_EQ(r.exitCode, 0) << r.err;
///
///   Child server({"/usr/bin/python3", script}, {.out = Output::capture(), .dieWithParent = true});
///   auto line = server.readLine(in(20s));
///
/// argv[0] is looked up in PATH (the child's) unless it holds a '/'. No shell is involved:
/// arguments reach the program as they are.

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ibackupmon::testing {

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

/// Where a child's stdout or stderr goes.
struct Output {
  enum class Kind {
    Default,  ///< runProcess captures it, Child leaves it to this process's
    Inherit,  ///< this process's
    Discard,  ///< /dev/null
    Capture,  ///< a pipe: ProcessResult::out/err, or Child::readLine/readOutput
    File,     ///< `path`, created or truncated
    Stdout,   ///< stderr only: wherever stdout goes (2>&1)
  };
  Kind kind = Kind::Default;
  std::string path;

  static Output inherit() { return {Kind::Inherit, {}}; }
  static Output discard() { return {Kind::Discard, {}}; }
  static Output capture() { return {Kind::Capture, {}}; }
  static Output file(std::string path) { return {Kind::File, std::move(path)}; }
  static Output toStdout() { return {Kind::Stdout, {}}; }
};

struct ProcessOptions {
  /// Set in the child's environment on top of this process's, replacing same-named variables.
  std::map<std::string, std::string> env;
  /// Left out of the environment the child inherits.
  std::vector<std::string> unsetEnv;
  /// The child's stdin: this file, or /dev/null when empty.
  std::string stdinFile;
  Output out;
  Output err;
  /// runProcess only: the child is killed (SIGKILL) when it has not exited after this long.
  std::optional<std::chrono::milliseconds> timeout = std::chrono::seconds(30);
  /// The child gets SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG): a server
  /// never outlives a crashed test.
  bool dieWithParent = false;
  /// Child only: how stop() (and so the destructor) ends it: this signal, then SIGKILL when it
  /// is still running `stopGrace` later.
  int stopSignal = SIGTERM;
  std::chrono::milliseconds stopGrace = std::chrono::seconds(30);
};

struct ProcessResult {
  int exitCode = -1;      ///< its exit status; -1 when a signal ended it; 127 when it could not
                          ///< be started (as from a shell), with the reason in `err`
  int signal = 0;         ///< the signal that ended it; 0 when it exited
  bool timedOut = false;  ///< killed after options.timeout
  std::string out;        ///< captured stdout
  std::string err;        ///< captured stderr (or why it could not start)
  double cpuSeconds = 0;  ///< the child's user + system CPU time
};

/// Runs argv to completion, or until options.timeout (then SIGKILL). stdout and stderr are
/// captured unless options say otherwise.
ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// A running child process. Not copyable; stopped (options.stopSignal, then SIGKILL) and reaped
/// when destroyed.
class Child {
 public:
  /// Throws std::runtime_error when the program cannot be executed or no process can be made (a
  /// pipe, a file or fork failed).
  explicit Child(const std::vector<std::string>& argv, ProcessOptions options = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  /// Sends `sig`, unless the child has already been reaped.
  void signal(int sig) const;
  /// False once the child has exited (it is then reaped: exitCode() and cpuSeconds() hold).
  bool running();
  /// Its exit code (-1: ended by a signal) once it exits before `deadline`; nullopt otherwise.
  std::optional<int> waitExit(Deadline deadline);
  /// Waits for the exit however long it takes; returns the exit code (-1: ended by a signal).
  int wait();
  /// options.stopSignal, up to options.stopGrace for the exit, then SIGKILL. Idempotent.
  void stop();
  /// After the exit: the exit code (-1: ended by a signal), the signal, the CPU time used.
  int exitCode() const { return exitCode_; }
  int termSignal() const { return termSignal_; }
  double cpuSeconds() const { return cpuSeconds_; }

  /// The next line of captured stdout without its newline; nullopt when stdout closes or
  /// `deadline` passes first.
  std::optional<std::string> readLine(Deadline deadline);
  /// Appends captured stdout and stderr until the child closes both (true) or `deadline`
  /// passes (false); without a deadline, as long as it takes.
  bool readOutput(std::string& out, std::string& err, std::optional<Deadline> deadline);

 private:
  bool reap(int flags);
  void closePipes();

  pid_t pid_ = -1;
  bool reaped_ = false;
  int exitCode_ = -1;
  int termSignal_ = 0;
  double cpuSeconds_ = 0;
  int outFd_ = -1;
  int errFd_ = -1;
  std::string outBuffer_;  ///< read by readLine beyond the last line it returned
  int stopSignal_ = SIGTERM;
  std::chrono::milliseconds stopGrace_{0};
};

}  // namespace ibackupmon::testing

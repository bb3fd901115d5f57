// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The monitor's sense of elapsed time: a monotonic now() and one-shot timers whose handlers run
/// on a strand. Production measures steady time with asio timers; tests move a manual clock and
/// the due timers fire at once, so no test waits real seconds for a backoff, a timeout or a tick.
///
///   auto timer = timers.makeTimer(strand);
///   timer->schedule(timers.now() + 2s, [] { ... });   // replaces what was scheduled
///   timer->cancel();                                 // the handler will not run

#include <chrono>
#include <functional>
#include <memory>

#include "app/asio.h"

namespace ibackupmon {

class TimerService {
 public:
  using Time = std::chrono::steady_clock::time_point;
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Handler = std::function<void()>;

  class Timer {
   public:
    virtual ~Timer() = default;
    /// Runs fn on the strand once `due` has passed; replaces the handler scheduled before.
    virtual void schedule(Time due, Handler fn) = 0;
    /// The scheduled handler will not run, even if it is already due.
    virtual void cancel() = 0;
  };

  virtual ~TimerService() = default;
  /// Monotonic: never steps when the wall clock is set.
  virtual Time now() const = 0;
  /// A timer whose handlers run on `strand`; destroying it cancels it.
  virtual std::unique_ptr<Timer> makeTimer(Strand& strand) = 0;
};

/// Production timers: std::chrono::steady_clock and boost::asio::steady_timer.
class AsioTimerService final : public TimerService {
 public:
  Time now() const override { return std::chrono::steady_clock::now(); }
  std::unique_ptr<Timer> makeTimer(Strand& strand) override;
};

}  // namespace ibackupmon

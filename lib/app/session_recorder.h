// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Writes attach and detach transitions to the store in the order usbmuxd reported them, with
/// the times it reported them. A write that fails (database locked past the busy timeout, disk
/// full) stays queued with its time and is retried; nothing behind it overtakes it, so a detach
/// is never lost and an attach never lands before the detach that preceded it. Lives on the
/// monitor's strand.
///
///   SessionRecorder sessions(store, timers, strand);
///   sessions.record({udid, SessionEvent::Attached, at});   // written now
///
/// Or, in a group commit the caller runs (Store::inOneCommit):
///
///   sessions.queue({udid, SessionEvent::Attached, at});
///   std::size_t n = 0;
///   auto committed = store.inOneCommit([&] { n = sessions.writeQueued(); ... });
///   sessions.settle(committed ? n : 0);

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "app/asio.h"
#include "app/timer_service.h"
#include "core/clock.h"

namespace ibackupmon {

class Store;

struct SessionEvent {
  /// Located: where the device sits in its open session (after its Attached).
  enum Kind { Attached, Detached, Located };
  std::string udid;
  Kind kind = Attached;
  TimePoint at{};
  std::string port;                      ///< Located only
  std::optional<std::string> slotLabel;  ///< Located only
};

class SessionRecorder {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  /// retry: the pause between attempts while the store refuses writes.
  SessionRecorder(Store& store, TimerService& timers, Strand& strand,
                  std::chrono::milliseconds retry = std::chrono::seconds(2));
  ~SessionRecorder();
  SessionRecorder(const SessionRecorder&) = delete;
  SessionRecorder& operator=(const SessionRecorder&) = delete;

  /// Queues the transition and writes every queued one it can now.
  void record(SessionEvent event);
  /// Queues the transition without writing it.
  void queue(SessionEvent event) { queue_.push_back(std::move(event)); }
  /// Writes the queued transitions in order until the store refuses one (none while a retry is
  /// due); returns how many it wrote. They stay queued until settle().
  std::size_t writeQueued();
  /// The first `written` queued transitions are durable and leave the queue; when any are left,
  /// the retry is armed.
  void settle(std::size_t written);
  /// Transitions not yet written.
  std::size_t pending() const { return queue_.size(); }
  /// Cancels the retry timer (queued transitions stay unwritten).
  void stop();

 private:
  void flush();
  void armRetry();

  Store& store_;
  TimerService& timers_;
  std::chrono::milliseconds retry_;
  std::deque<SessionEvent> queue_;
  std::unique_ptr<TimerService::Timer> timer_;  // its handler never outlives the recorder
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/session_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/store.h"

namespace ibackupmon {

SessionRecorder::SessionRecorder(Store& store, TimerService& timers, Strand& strand,
                                 std::chrono::milliseconds retry)
    : store_(store), timers_(timers), retry_(retry), timer_(timers.makeTimer(strand)) {}

SessionRecorder::~SessionRecorder() {
  stop();
}

void SessionRecorder::stop() {
  stopped_ = true;
  timer_->cancel();
}

void SessionRecorder::record(SessionEvent event) {
  queue_.push_back(std::move(event));
  if (!armed_) flush();  // a retry is due: the new one waits its turn behind the failed one
}

void SessionRecorder::flush() {
  settle(writeQueued());
}

std::size_t SessionRecorder::writeQueued() {
  if (armed_) return 0;
  std::size_t written = 0;
  for (const SessionEvent& e : queue_) {
    auto r = e.kind == SessionEvent::Attached ? store_.deviceAttached(e.udid, e.at)
             : e.kind == SessionEvent::Detached
                 ? store_.deviceDetached(e.udid, e.at)
                 : store_.sessionLocated(e.udid, e.port, e.slotLabel);
    if (!r) {
      static constexpr const char* kWhat[] = {"attach", "detach", "port"};
      spdlog::error("store: {} (the {} of {} is kept and retried)", r.error().message,
                    kWhat[e.kind], e.udid);
      break;
    }
    ++written;
  }
  return written;
}

void SessionRecorder::settle(std::size_t written) {
  queue_.erase(queue_.begin(),
               queue_.begin() + static_cast<std::ptrdiff_t>(std::min(written, queue_.size())));
  if (!queue_.empty() && !armed_) armRetry();
}

void SessionRecorder::armRetry() {
  if (stopped_) return;
  armed_ = true;
  timer_->schedule(timers_.now() + retry_, [this] {
    if (stopped_) return;
    armed_ = false;
    flush();
  });
}

}  // namespace ibackupmon

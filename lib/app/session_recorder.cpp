// SPDX-License-Identifier: Apache-2.0
#include "app/session_recorder.h"

#include <spdlog/spdlog.h>

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
  while (!queue_.empty()) {
    const SessionEvent& e = queue_.front();
    auto r = e.kind == SessionEvent::Attached ? store_.deviceAttached(e.udid, e.at)
             : e.kind == SessionEvent::Detached
                 ? store_.deviceDetached(e.udid, e.at)
                 : store_.sessionLocated(e.udid, e.port, e.slotLabel);
    if (!r) {
      static constexpr const char* kWhat[] = {"attach", "detach", "port"};
      spdlog::error("store: {} (the {} of {} is kept and retried)", r.error().message,
                    kWhat[e.kind], e.udid);
      if (stopped_) return;
      armed_ = true;
      timer_->schedule(timers_.now() + retry_, [this] {
        if (stopped_) return;
        armed_ = false;
        flush();
      });
      return;
    }
    queue_.pop_front();
  }
}

}  // namespace ibackupmon

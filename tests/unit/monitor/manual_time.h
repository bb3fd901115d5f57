// SPDX-License-Identifier: Apache-2.0
#pragma once
// Time that tests move by hand: one source for the wall clock (Clock) and the monitor's timers
// (TimerService). advance() fires every timer that falls due on the way, in due order, each on
// its strand, and returns once each handler ran; an io thread must run the strands meanwhile.

#include <algorithm>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "app/timer_service.h"
#include "core/clock.h"

namespace ibackupmon::testing {

class ManualTime final : public TimerService, public std::enable_shared_from_this<ManualTime> {
 public:
  explicit ManualTime(TimePoint wallStart) : wallStart_(wallStart) {}

  Time now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  TimePoint wallNow() const {
    std::lock_guard lock(mutex_);
    return wallStart_ + std::chrono::duration_cast<TimePoint::duration>(now_ - Time{});
  }
  /// The wall-clock view, for MonitorDeps::clock.
  std::shared_ptr<const Clock> clock() { return std::make_shared<WallClock>(shared_from_this()); }

  std::unique_ptr<Timer> makeTimer(Strand& strand) override {
    auto slot = std::make_shared<Slot>(Slot{strand, {}, {}, 0});
    std::lock_guard lock(mutex_);
    slots_.push_back(slot);
    return std::make_unique<ManualTimer>(shared_from_this(), std::move(slot));
  }

  /// Moves time by d, firing the timers due on the way (a handler may schedule more).
  void advance(std::chrono::milliseconds d) {
    Time target;
    {
      std::lock_guard lock(mutex_);
      target = now_ + d;
    }
    for (;;) {
      std::shared_ptr<Slot> slot;
      std::uint64_t generation = 0;
      {
        std::lock_guard lock(mutex_);
        for (auto it = slots_.begin(); it != slots_.end();) {
          auto s = it->lock();
          if (!s) {
            it = slots_.erase(it);
            continue;
          }
          if (s->due && *s->due <= target && (!slot || *s->due < *slot->due)) slot = s;
          ++it;
        }
        if (!slot) {
          now_ = target;
          return;
        }
        now_ = std::max(now_, *slot->due);
        slot->due.reset();
        generation = slot->generation;
      }
      auto ran = std::make_shared<std::promise<void>>();
      auto done = ran->get_future();
      boost::asio::post(slot->strand, [this, self = shared_from_this(),
                                       weak = std::weak_ptr<Slot>(slot), generation, ran] {
        Handler fn;
        if (auto s = weak.lock()) {
          std::lock_guard lock(mutex_);
          if (s->generation == generation) fn = std::move(s->fn);
        }
        if (fn) fn();
        ran->set_value();
      });
      slot.reset();
      if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        throw std::runtime_error("ManualTime: a timer's strand did not run within 10 s");
      }
    }
  }

 private:
  struct Slot {
    Strand strand;
    std::optional<Time> due;
    Handler fn;
    std::uint64_t generation;
  };

  class ManualTimer final : public Timer {
   public:
    ManualTimer(std::shared_ptr<ManualTime> time, std::shared_ptr<Slot> slot)
        : time_(std::move(time)), slot_(std::move(slot)) {}
    ~ManualTimer() override { cancel(); }
    void schedule(Time due, Handler fn) override {
      std::lock_guard lock(time_->mutex_);
      slot_->due = due;
      slot_->fn = std::move(fn);
      ++slot_->generation;
    }
    void cancel() override {
      std::lock_guard lock(time_->mutex_);
      slot_->due.reset();
      slot_->fn = nullptr;
      ++slot_->generation;
    }

   private:
    std::shared_ptr<ManualTime> time_;
    std::shared_ptr<Slot> slot_;
  };

  class WallClock final : public Clock {
   public:
    explicit WallClock(std::shared_ptr<const ManualTime> time) : time_(std::move(time)) {}
    TimePoint now() const override { return time_->wallNow(); }

   private:
    std::shared_ptr<const ManualTime> time_;
  };

  mutable std::mutex mutex_;
  const TimePoint wallStart_;
  Time now_{};
  std::vector<std::weak_ptr<Slot>> slots_;
};

}  // namespace ibackupmon::testing

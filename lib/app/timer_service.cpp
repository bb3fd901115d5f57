// SPDX-License-Identifier: Apache-2.0
#include "app/timer_service.h"

namespace ibackupmon {
namespace {

class AsioTimer final : public TimerService::Timer {
 public:
  explicit AsioTimer(TimerService::Strand& strand) : timer_(strand) {}
  ~AsioTimer() override { timer_.cancel(); }

  void schedule(TimerService::Time due, TimerService::Handler fn) override {
    // A handler asio has already queued cannot be taken back: the generation tells it that it
    // was replaced or cancelled since.
    const std::uint64_t generation = ++*generation_;
    timer_.expires_at(due);
    timer_.async_wait([current = std::weak_ptr<std::uint64_t>(generation_), generation,
                       fn = std::move(fn)](const boost::system::error_code& ec) {
      auto g = current.lock();
      if (!ec && g && *g == generation) fn();
    });
  }

  void cancel() override {
    ++*generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<std::uint64_t> generation_ = std::make_shared<std::uint64_t>(0);
};

}  // namespace

std::unique_ptr<TimerService::Timer> AsioTimerService::makeTimer(Strand& strand) {
  return std::make_unique<AsioTimer>(strand);
}

}  // namespace ibackupmon

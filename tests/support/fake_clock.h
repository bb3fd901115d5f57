// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A Clock tests move by hand. Tests include it as "support/fake_clock.h" (ibackupmon_test adds
/// tests/ to every test's include path).

#include <chrono>

#include "core/clock.h"

namespace ibackupmon {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint now() const override { return now_; }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_;
};

}  // namespace ibackupmon

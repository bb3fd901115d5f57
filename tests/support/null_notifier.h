// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A ServiceNotifier that tells nobody: for tests that run an Application without systemd.

#include "app/notifier.h"

namespace ibackupmon::testing {

class NullNotifier final : public ServiceNotifier {
 public:
  void ready(std::string_view) override {}
  void reloading() override {}
  void stopping(std::string_view) override {}
  void status(std::string_view) override {}
  void watchdog() override {}
  std::optional<std::chrono::microseconds> watchdogPingInterval() const override {
    return std::nullopt;
  }
};

}  // namespace ibackupmon::testing

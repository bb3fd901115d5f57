// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's side of the systemd notify protocol (Type=notify), behind a small interface so
/// Application can be tested with a recording fake.

#include <chrono>
#include <optional>
#include <string_view>

namespace ibackupmon {

class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;
  /// READY=1 with a STATUS= line: startup or a reload finished.
  virtual void ready(std::string_view status) = 0;
  /// RELOADING=1 (with MONOTONIC_USEC, as systemd 253+ expects).
  virtual void reloading() = 0;
  /// STOPPING=1 with a STATUS= line.
  virtual void stopping(std::string_view status) = 0;
  /// STATUS= only: a human line shown by "systemctl status".
  virtual void status(std::string_view text) = 0;
  /// WATCHDOG=1: the main loop is alive.
  virtual void watchdog() = 0;
  /// How often to ping (half of WatchdogSec), or nullopt when the watchdog is off.
  virtual std::optional<std::chrono::microseconds> watchdogPingInterval() const = 0;
};

/// Talks to $NOTIFY_SOCKET through libsystemd; does nothing when the variable is unset.
class SdNotifier final : public ServiceNotifier {
 public:
  void ready(std::string_view status) override;
  void reloading() override;
  void stopping(std::string_view status) override;
  void status(std::string_view text) override;
  void watchdog() override;
  std::optional<std::chrono::microseconds> watchdogPingInterval() const override;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace ibackupmon {

namespace {

// STATUS= ends at a newline in the protocol: keep status text on one line.
std::string oneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void send(const std::string& message) {
  sd_notify(0, message.c_str());
}

}  // namespace

void SdNotifier::ready(std::string_view status) {
  send("READY=1\nSTATUS=" + oneLine(status));
}

void SdNotifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=Reloading configuration");
}

void SdNotifier::stopping(std::string_view status) {
  send("STOPPING=1\nSTATUS=" + oneLine(status));
}

void SdNotifier::status(std::string_view text) {
  send("STATUS=" + oneLine(text));
}

void SdNotifier::watchdog() {
  send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> SdNotifier::watchdogPingInterval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The alert records the store persists (alert_state, alert_acks, alert_outbox): what was alerted,
/// what is acknowledged, and what waits in the outbox. Plain data, read and written by the
/// policy (lib/alert), the engine (lib/app) and ibackupmonctl.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/condition.h"

namespace ibackupmon {

/// One alert is one (device, condition) pair.
/// Condition id of the host-level alert opened while usbmuxd accepts connections but answers
/// nothing. Host alerts carry an empty udid; the open record in alert_state is what
/// `ibackupmonctl status` reads to say so, also with the daemon stopped.
inline constexpr const char* kUsbmuxdWedgedCondition = "usbmuxd_wedged";

struct AlertKey {
  std::string udid;
  std::string condition;
  auto operator<=>(const AlertKey&) const = default;
};

/// The persisted life of one alert, from opening to (notified) resolution.
struct AlertRecord {
  AlertKey key;
  Severity severity = Severity::Warning;
  TimePoint openedAt{};
  std::optional<TimePoint> resolvedAt;      ///< set when the condition cleared
  std::optional<TimePoint> lastNotifiedAt;  ///< last email that announced it (open or reminder)
  int notifications = 0;                    ///< emails that announced it while active
  bool resolutionNotified = false;          ///< the resolution was mailed (or needs no mail)
  bool acknowledged = false;                ///< acknowledged at the last decision: notices expiry
};

/// `ibackupmonctl ack UDID [CONDITION] [--until TIME]`: an empty condition covers the device.
struct AlertAck {
  std::string udid;
  std::string condition;           ///< empty = every condition of the device
  std::optional<TimePoint> until;  ///< nullopt = until unacknowledged
  TimePoint createdAt{};
  std::string comment;

  bool covers(const AlertKey& k, TimePoint now) const {
    return k.udid == udid && (condition.empty() || condition == k.condition) &&
           (!until || *until > now);
  }
};

/// A message in the durable outbox. The payload is final (the full RFC 5322 message for email),
/// so a retry sends the same bytes with the same Message-ID.
struct OutboxMessage {
  std::int64_t id = 0;
  std::string messageId;  ///< "<...@host>", unique, recorded before the first attempt
  std::string channel;    ///< "email"
  std::string kind;       ///< "alert" | "test"
  std::string subject;    ///< for logs and listings
  std::string payload;
  TimePoint createdAt{};
  TimePoint nextAttemptAt{};
  int attempts = 0;
  std::string lastError;
  std::optional<TimePoint> sentAt;
};

}  // namespace ibackupmon

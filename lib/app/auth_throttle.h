// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Slows down password guessing against /metrics: after a few wrong basic-auth passwords from one
/// client, that client's requests have their credentials checked one at a time, each after a delay
/// that doubles per failure up to a cap. Parallel connections queue behind each other, so they do
/// not multiply the guess rate; a right password (after its turn) clears the record. Pure: the
/// caller passes the time and waits (MetricsServer with a timer, holding no thread).
///
///   const auto at = throttle.admit(client, now);   // nullopt: too many queued, answer 429
///   // wait until *at, then check the password:
///   if (ok) throttle.succeeded(client); else throttle.failed(client, *at);

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace ibackupmon {

struct AuthThrottlePolicy {
  int freeFailures = 5;                       ///< answered at once: a typo, a scraper being set up
  std::chrono::milliseconds firstDelay{250};  ///< then each check waits this, doubled per failure
  std::chrono::milliseconds maxDelay{2000};   ///< up to this (under Prometheus' 10 s timeout)
  std::chrono::milliseconds maxWait{10000};   ///< turns further ahead are refused, not queued
  std::chrono::seconds forgetAfter{600};      ///< a client quiet this long starts afresh
  std::size_t maxClients = 4096;              ///< records kept; the stalest go first
};

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit AuthThrottle(AuthThrottlePolicy policy = {}) : policy_(policy) {}

  /// When the credentials of a request from `client` arriving at `now` may be checked: `now`
  /// while the client has free failures left, else its next turn (each turn one delay later);
  /// nullopt when that turn is more than maxWait away (the request is refused without a check).
  std::optional<Clock::time_point> admit(const std::string& client, Clock::time_point now);
  /// Records a wrong password; returns the client's failures so far.
  int failed(const std::string& client, Clock::time_point now);
  /// A right password: the client starts afresh.
  void succeeded(const std::string& client) { clients_.erase(client); }
  /// How long the client's next check would wait after the previous one (0 while free).
  std::chrono::milliseconds delayFor(const std::string& client) const;

 private:
  struct Record {
    int failures = 0;
    Clock::time_point lastFailure{};
    Clock::time_point nextTurn{};
  };
  std::chrono::milliseconds delayAfter(int failures) const;
  void prune(Clock::time_point now);

  AuthThrottlePolicy policy_;
  std::unordered_map<std::string, Record> clients_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/auth_throttle.h"

#include <algorithm>

namespace ibackupmon {

std::chrono::milliseconds AuthThrottle::delayAfter(int failures) const {
  if (failures < policy_.freeFailures) return std::chrono::milliseconds(0);
  const int doublings = std::min(failures - policy_.freeFailures, 20);
  return std::min<std::chrono::milliseconds>(policy_.firstDelay * (1LL << doublings),
                                             policy_.maxDelay);
}

std::chrono::milliseconds AuthThrottle::delayFor(const std::string& client) const {
  const auto it = clients_.find(client);
  return it == clients_.end() ? std::chrono::milliseconds(0) : delayAfter(it->second.failures);
}

std::optional<AuthThrottle::Clock::time_point> AuthThrottle::admit(const std::string& client,
                                                                   Clock::time_point now) {
  const auto it = clients_.find(client);
  if (it == clients_.end()) return now;
  Record& r = it->second;
  if (now - r.lastFailure >= policy_.forgetAfter && r.nextTurn <= now) {
    clients_.erase(it);
    return now;
  }
  const auto delay = delayAfter(r.failures);
  if (delay.count() == 0) return now;
  const auto turn = std::max(now, r.nextTurn) + delay;
  if (turn - now > policy_.maxWait) return std::nullopt;
  r.nextTurn = turn;
  return turn;
}

int AuthThrottle::failed(const std::string& client, Clock::time_point now) {
  Record& r = clients_[client];
  ++r.failures;
  r.lastFailure = now;
  const int failures = r.failures;
  if (clients_.size() > policy_.maxClients) prune(now);
  return failures;
}

// Drops the clients quiet for forgetAfter; if that is not enough, the one quiet the longest.
void AuthThrottle::prune(Clock::time_point now) {
  std::erase_if(clients_, [&](const auto& kv) {
    return now - kv.second.lastFailure >= policy_.forgetAfter && kv.second.nextTurn <= now;
  });
  while (clients_.size() > policy_.maxClients) {
    const auto stalest = std::min_element(clients_.begin(), clients_.end(), [](auto& a, auto& b) {
      return a.second.lastFailure < b.second.lastFailure;
    });
    clients_.erase(stalest);
  }
}

}  // namespace ibackupmon

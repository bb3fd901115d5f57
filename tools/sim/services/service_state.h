// SPDX-License-Identifier: Apache-2.0
#pragma once
/// State a device's services share between connections: notification_proxy observers (a post on
/// one connection is relayed to the others), AFC's in-memory file system and its file locks, and
/// what mobilebackup2 remembers between backups.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace sim {

struct SimDevice;

/// One notification_proxy connection that observes names; `relay` sends a RelayNotification.
struct NotificationObserver {
  std::set<std::string> names;
  std::function<void(const std::string& name)> relay;
};

struct AfcNode {
  bool directory = false;
  std::string data;
};

struct ServiceState {
  std::vector<std::weak_ptr<NotificationObserver>> observers;
  std::map<std::string, AfcNode> afcFiles;   // absolute path -> node ("/" always present)
  std::map<std::string, uint64_t> afcLocks;  // path -> the AFC connection holding its lock
  uint64_t nextAfcConnection = 1;
  uint64_t backupGeneration = 0;  // completed backups: the rotating file's name and contents
  bool backupRunning = false;

  /// Relays `name` to every observer of it; returns how many got it.
  int post(const std::string& name);
};

/// The device's shared service state, created on first use.
ServiceState& serviceState(SimDevice& device);

}  // namespace sim

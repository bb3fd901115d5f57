// SPDX-License-Identifier: Apache-2.0
#include "config/config_diff.h"

namespace ibackupmon {

std::vector<std::string> restartRequiredKeys() {
  return {"storage.path", "metrics.listen", "alerts.control_socket"};
}

std::vector<RestartRequiredChange> restartRequiredChanges(const Config& running,
                                                          const Config& next) {
  std::vector<RestartRequiredChange> changes;
  auto compare = [&](const char* key, const std::string& a, const std::string& b) {
    if (a != b) changes.push_back({key, a, b});
  };
  compare("storage.path", running.storage.path, next.storage.path);
  compare("metrics.listen", running.metrics.listen, next.metrics.listen);
  compare("alerts.control_socket", running.alerts.controlSocket, next.alerts.controlSocket);
  return changes;
}

Config withRunningRestartKeys(Config next, const Config& running) {
  next.storage.path = running.storage.path;
  next.metrics.listen = running.metrics.listen;
  next.alerts.controlSocket = running.alerts.controlSocket;
  return next;
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "config/config_diff.h"

namespace ibackupmon {

std::vector<std::string> restartRequiredKeys() {
  return {"storage.path", "metrics.listen", "alerts.control_socket", "local_backup.directory"};
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
  compare("local_backup.directory", running.localBackup.directory, next.localBackup.directory);
  return changes;
}

Config withRunningRestartKeys(Config next, const Config& running) {
  next.storage.path = running.storage.path;
  next.metrics.listen = running.metrics.listen;
  next.alerts.controlSocket = running.alerts.controlSocket;
  next.localBackup.directory = running.localBackup.directory;
  return next;
}

}  // namespace ibackupmon

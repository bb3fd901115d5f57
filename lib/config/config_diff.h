// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What a reload may change: keys bound at startup (listen socket, database) need a restart.

#include <string>
#include <vector>

#include "config/config.h"

namespace ibackupmon {

struct RestartRequiredChange {
  std::string key;  ///< "metrics.listen"
  std::string running;
  std::string requested;
};

/// The keys that need a restart to take effect, as listed in docs/configuration.md.
std::vector<std::string> restartRequiredKeys();

/// Restart-only keys whose value differs between the running and the newly loaded config.
std::vector<RestartRequiredChange> restartRequiredChanges(const Config& running,
                                                          const Config& next);

/// `next` with the restart-only keys put back to their running values: what a reload applies.
Config withRunningRestartKeys(Config next, const Config& running);

}  // namespace ibackupmon

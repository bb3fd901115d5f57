// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's main loop: signals, reloads, watchdog pings and a bounded shutdown around an
/// Application on one io_context.

#include <chrono>
#include <string>
#include <vector>

#include "app/component.h"
#include "app/notifier.h"
#include "config/config_loader.h"

namespace ibackupmon {

struct ServiceOptions {
  std::string configPath;  ///< re-read on SIGHUP
  ConfigOrigin origin = ConfigOrigin::Explicit;
  /// After SIGTERM, pending work gets this long to finish before the loop is abandoned.
  std::chrono::milliseconds shutdownTimeout{4000};
};

/// Loads the config, starts the components, sends READY=1 and runs until SIGTERM/SIGINT.
/// Returns the exit code: 0 after a clean stop, 1 when the config or a component failed.
int runService(const ServiceOptions& options, std::vector<ComponentFactory> table,
               ServiceNotifier& notifier);

}  // namespace ibackupmon

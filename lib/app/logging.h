// SPDX-License-Identifier: Apache-2.0
#pragma once
/// spdlog setup for the daemon: one stderr logger, formatted for journald or for a terminal.

#include "config/config.h"

namespace ibackupmon {

/// True when stderr goes to journald (JOURNAL_STREAM or INVOCATION_ID set by systemd).
bool runningUnderSystemd();

/// Installs the default spdlog logger on stderr. Under systemd: "<N>message" (journald reads the
/// priority prefix and adds its own timestamps); otherwise "2026-11-24T01:02:03.456Z info message".
void setupLogging(bool underSystemd);

/// Applies [log] level; called at startup and after each reload.
void setLogLevel(LogLevel level);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Command line of the simulator itself (the ctl subcommand is parsed in ctl_client).

#include <cstdint>
#include <string>

#include "core/error.h"

namespace sim {

struct SimOptions {
  std::string socket;      // --socket PATH|HOST:PORT
  std::string fleetFile;   // --fleet FILE
  int generate = -1;       // --generate N
  uint64_t seed = 1;       // --seed S
  std::string writeFleet;  // --write-fleet FILE
  std::string control;     // --control PATH
  std::string readyFile;   // --ready-file PATH
  std::string eventsFile;  // --events FILE
  bool help = false;
  bool version = false;
};

/// Parses argv (without the program name); errors have code "usage" and name the offending
/// option. With --help or --version the other checks (--socket given, ...) are skipped.
ibackupmon::Expected<SimOptions> parseCli(int argc, char** argv);

/// The --help text.
std::string usageText();

/// Prints "ibackupmon-sim: MESSAGE; try --help" (the wording of every ibackupmon program) and
/// returns the usage exit code, 2.
int usageError(const std::string& program, const std::string& message);

}  // namespace sim

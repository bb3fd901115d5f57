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
};

constexpr const char* kUsage =
    "usage: ibackupmon-sim --socket PATH|HOST:PORT (--fleet FILE | --generate N [--seed S])\n"
    "                      [--write-fleet FILE] [--control PATH] [--ready-file PATH] [--events "
    "FILE]\n"
    "       ibackupmon-sim ctl --control PATH COMMAND [ARGS]\n";

/// Parses argv (without the program name); errors name the offending option.
ibackupmon::Expected<SimOptions> parseCli(int argc, char** argv);

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Fleet files (TOML, format in docs/simulator.md): load with file:line:column errors, save.

#include <string>

#include "core/error.h"
#include "fleet.h"

namespace sim {

/// Reads and validates a fleet file; every problem is reported as "FILE:LINE:COL: message".
ibackupmon::Expected<Fleet> loadFleetFile(const std::string& path);
/// Parses fleet TOML text; `name` is used in error messages.
ibackupmon::Expected<Fleet> parseFleet(std::string_view text, const std::string& name);
/// Renders a fleet as TOML that parseFleet accepts back.
std::string fleetToToml(const Fleet& fleet);

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Internal to lib/config: reads every section of a parsed file into a Config, then checks the
/// rules that span several keys.

#include <toml++/toml.h>

#include "config/config.h"
#include "config/config_reader.h"

namespace ibackupmon {

/// Fills `config` from `root`; every problem goes to `diag`. Fields keep their defaults where the
/// file is silent or wrong.
void readConfigSections(const toml::table& root, Config& config, Diagnostics& diag);

/// Rules between keys (critical_after > stale_after, email recipients when SMTP is set, ...).
void checkCrossFieldRules(const Config& config, Diagnostics& diag);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Loads ibackupmon.toml into a fully validated Config, reporting every error at once.
///
///   auto config = loadConfig(path, ConfigOrigin::Explicit);
///   if (!config) for (auto& line : errorLines(config.error())) std::cerr << line << '\n';
///
/// Each error line reads "PATH:LINE:COLUMN: KEY: expected WHAT, found WHAT". A TOML syntax error
/// stops parsing and is reported alone ("PATH:LINE:COLUMN: syntax: ...").

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/error.h"

namespace ibackupmon {

/// A missing file is an error when the admin named it (--config), but at the default location it
/// means "built-in defaults" plus a warning, so a fresh install runs without a config file.
enum class ConfigOrigin { Explicit, Default };

/// Error codes: "config_missing", "config_unreadable", "config_syntax", "config_invalid".
/// Warnings (e.g. the default file is absent) are appended to `warnings` when given.
Expected<Config> loadConfig(const std::string& path, ConfigOrigin origin = ConfigOrigin::Explicit,
                            std::vector<std::string>* warnings = nullptr);

/// Parses and validates TOML text; `pathForMessages` prefixes error lines and becomes sourcePath.
Expected<Config> loadConfigFromString(std::string_view text, const std::string& pathForMessages);

/// The error message split into its lines (one per problem).
std::vector<std::string> errorLines(const Error& error);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Renders a Config as TOML (for --print-config) that loadConfig accepts back unchanged.

#include <string>

#include "config/config.h"

namespace ibackupmon {

/// Every key with its effective value; optional keys that are unset are left out.
std::string renderConfig(const Config& config);

/// A TOML basic string literal with quotes, backslashes and control characters escaped.
std::string tomlQuote(std::string_view text);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Reading the text exposition format back in tests: sample lookup by exact series text.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace ibackupmon::testing {

/// The fixed "now" of the metrics tests.
inline const TimePoint kNow = fromUnixSeconds(1'750'000'000);

/// A new file under /tmp holding `content` (a password file); the caller removes it.
std::string writeTempFile(const std::string& content);

/// Value of the sample whose series (name plus labels, exactly as rendered) is `series`.
std::optional<double> sampleValue(const std::string& text, const std::string& series);

/// Every sample line whose metric name is `name` (histogram suffixes not included).
std::vector<std::string> samplesOf(const std::string& text, const std::string& name);

/// Runs `promtool check metrics` on text; returns its combined output and sets exitCode.
std::string promtoolCheckMetrics(const std::string& text, int& exitCode);

}  // namespace ibackupmon::testing

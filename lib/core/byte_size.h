// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Sizes in words for people: backup sizes in mails, status and the command line.

#include <cstdint>
#include <string>

namespace ibackupmon {

/// Decimal gigabytes (1e9 bytes) to one decimal, rounded half up: 4'149'000'000 → "4.1 GB".
/// Integer arithmetic only, so the same bytes read the same in every place and locale.
std::string formatGigabytes(std::uint64_t bytes);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "core/byte_size.h"

namespace ibackupmon {

std::string formatGigabytes(std::uint64_t bytes) {
  const std::uint64_t tenths = bytes / 100'000'000 + (bytes % 100'000'000 >= 50'000'000 ? 1 : 0);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " GB";
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as the Authorization header of a /metrics request give credentials
// or nothing, never a crash; the check accepts exactly the header whose credentials are its own.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "metrics/scrape_response.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ibackupmon;
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto given = parseBasicAuth(header);
  static const BasicAuthCheck kConfigured("prom", "s3cret:with colon");
  const bool match = given && given->first == "prom" && given->second == "s3cret:with colon";
  if (kConfigured.accepts(header) != match) std::abort();
  if (!given) return 0;
  if (given->first.find(':') != std::string::npos) std::abort();  // the first colon splits
  if (!BasicAuthCheck(given->first, given->second).accepts(header)) std::abort();
  if (BasicAuthCheck(given->first, given->second + "x").accepts(header)) std::abort();
  if (BasicAuthCheck(given->first + "x", given->second).accepts(header)) std::abort();
  return 0;
}

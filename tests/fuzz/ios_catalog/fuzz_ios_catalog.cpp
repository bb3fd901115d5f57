// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as the gdmf iOS version catalog give a catalog or a named error,
// never a crash; lookups on a parsed catalog return versions that compare as versions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "alert/ios_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ibackupmon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The version order must be a total order on whatever the input holds: split it in two.
  const std::string_view a = text.substr(0, size / 2);
  const std::string_view b = text.substr(size / 2);
  const auto ab = compareVersionStrings(a, b);
  const auto ba = compareVersionStrings(b, a);
  if (ab.has_value() != ba.has_value() || (ab && *ab != -*ba)) std::abort();
  if (ab && compareVersionStrings(a, a) != 0) std::abort();

  auto catalog = parseIosCatalog(text);
  if (!catalog) {
    if (catalog.error().message.empty() || catalog.error().code.rfind("ios_catalog_", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  if (catalog->releaseCount() == 0) std::abort();
  const TimePoint now = fromUnixSeconds(1730419200);
  for (const char* type : {"iPhone13,2", "iPad7,5", "iPhone10,4", "", "x"}) {
    if (auto r = catalog->newestFor(type, now)) {
      if (compareVersionStrings(r->version, r->version) != 0) std::abort();
    }
  }
  return 0;
}

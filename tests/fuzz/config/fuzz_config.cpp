// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as a config file must give a Config or error lines, never a crash;
// a Config that loads must render to TOML that loads back to the same Config.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config_loader.h"
#include "config/config_render.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ibackupmon::loadConfigFromString(text, "fuzz.toml");
  if (!config) {
    if (config.error().message.empty()) std::abort();
    return 0;
  }
  auto again = ibackupmon::loadConfigFromString(ibackupmon::renderConfig(*config), "fuzz.toml");
  if (!again || !(*again == *config)) std::abort();
  return 0;
}

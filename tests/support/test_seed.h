// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The seed of a randomised test: IBACKUPMON_TEST_SEED=<n> replays a run, =random draws a new one,
/// unset gives kDefaultTestSeed (so CI and every plain run are the same run). Printed by
/// testSeed() on every call, for the failure report.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>

namespace ibackupmon::testing {

inline constexpr std::uint32_t kDefaultTestSeed = 20240522;

inline std::uint32_t testSeed() {
  std::uint32_t seed = kDefaultTestSeed;
  const char* env = std::getenv("IBACKUPMON_TEST_SEED");
  if (env && std::string(env) == "random") {
    seed = std::random_device{}();
  } else if (env && *env) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(env, &end, 10);
    if (*end != '\0' || v > UINT32_MAX) {
      throw std::invalid_argument(std::string("IBACKUPMON_TEST_SEED: expected a number from 0 to "
                                              "4294967295 or \"random\", found \"") +
                                  env + "\"");
    }
    seed = static_cast<std::uint32_t>(v);
  }
  std::cout << "IBACKUPMON_TEST_SEED=" << seed << " (set it to replay this run)" << std::endl;
  return seed;
}

}  // namespace ibackupmon::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads fixtures from tests/fixtures/feeds/ for the feed tests.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/clock.h"

namespace ibackupmon::testing {

inline std::string readFeedFixture(const std::string& name) {
  const std::string path = std::string(IBACKUPMON_SOURCE_DIR) + "/tests/fixtures/feeds/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The instant the Apple status fixtures are read at: 2024-05-22T18:30:00Z.
inline TimePoint fixtureNow() {
  return fromUnixSeconds(1716402600);
}

inline const std::vector<std::string>& watchedServices() {
  static const std::vector<std::string> kServices = {"iCloud Backup", "iCloud Account & Sign In",
                                                     "iCloud Storage Upgrades", "Apple ID"};
  return kServices;
}

}  // namespace ibackupmon::testing

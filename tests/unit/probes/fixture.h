// SPDX-License-Identifier: Apache-2.0
#pragma once
// Loads captured lockdown replies from tests/fixtures/probes/.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "device/plist_parse.h"

namespace ibackupmon::testing {

inline PlistDict loadFixture(const std::string& name) {
  const std::string path = std::string(IBACKUPMON_SOURCE_DIR) + "/tests/fixtures/probes/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto dict = parsePlistDict(ss.str());
  if (!dict) throw std::runtime_error(path + ": " + dict.error().message);
  return *dict;
}

}  // namespace ibackupmon::testing

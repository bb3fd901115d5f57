// SPDX-License-Identifier: Apache-2.0
#pragma once
// A message parsed as a mail client would: tests/unit/alert/email_check.py (Debian's python3 and
// its email package) reports headers, parts and defects as JSON.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/child_process.h"

namespace ibackupmon::testing {

inline nlohmann::json parseWithPython(const std::string& message) {
  auto path = std::filesystem::temp_directory_path() /
              ("ibackupmon-email-" + std::to_string(::getpid()) + ".eml");
  std::ofstream(path, std::ios::binary) << message;
  const auto r = runProcess(
      {"/usr/bin/python3", std::string(IBACKUPMON_SOURCE_DIR) + "/tests/unit/alert/email_check.py",
       path.string()},
      {.err = Output::inherit()});
  std::filesystem::remove(path);
  return nlohmann::json::parse(r.out);
}

}  // namespace ibackupmon::testing

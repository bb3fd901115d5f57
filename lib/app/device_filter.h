// SPDX-License-Identifier: Apache-2.0
#pragma once
/// [probe] include / exclude: which attached devices are fleet devices. Entries are UDIDs or
/// name glob patterns (fnmatch), e.g. exclude = ["Staff *", "00008101-000A1B2C3D4E5F60"].

#include <optional>
#include <string>
#include <vector>

namespace ibackupmon {

enum class FilterDecision {
  Include,
  Exclude,
  NeedName,  ///< depends on the DeviceName, which only a probe can tell
};

class DeviceFilter {
 public:
  DeviceFilter(std::vector<std::string> include, std::vector<std::string> exclude)
      : include_(std::move(include)), exclude_(std::move(exclude)) {}

  /// Exclude wins over include; an empty include list includes everything not excluded.
  FilterDecision decide(const std::string& udid, const std::optional<std::string>& name) const;

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/device_filter.h"

#include <fnmatch.h>

namespace ibackupmon {
namespace {

enum class Match { Yes, No, Unknown };

// Each entry is compared with the UDID exactly and with the name as a glob pattern.
Match matchAny(const std::vector<std::string>& patterns, const std::string& udid,
               const std::optional<std::string>& name) {
  bool unknown = false;
  for (const auto& p : patterns) {
    if (p == udid) return Match::Yes;
    if (!name) {
      unknown = true;
    } else if (fnmatch(p.c_str(), name->c_str(), 0) == 0) {
      return Match::Yes;
    }
  }
  return unknown ? Match::Unknown : Match::No;
}

}  // namespace

FilterDecision DeviceFilter::decide(const std::string& udid,
                                    const std::optional<std::string>& name) const {
  const Match ex = matchAny(exclude_, udid, name);
  if (ex == Match::Yes) return FilterDecision::Exclude;
  const Match in = include_.empty() ? Match::Yes : matchAny(include_, udid, name);
  if (in == Match::No) return FilterDecision::Exclude;
  if (ex == Match::Unknown || in == Match::Unknown) return FilterDecision::NeedName;
  return FilterDecision::Include;
}

}  // namespace ibackupmon

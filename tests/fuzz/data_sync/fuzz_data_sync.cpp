// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the com.apple.mobile.data_sync domain as a device sends it, to the iCloud
// account proxy. Never a crash; an error names the domain and the data class; the names are
// sanitised, distinct and capped; icloudSignedIn is known exactly when some class lists
// accounts, and true exactly when "iCloud" is among them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "core/sanitize.h"
#include "device/plist_parse.h"
#include "probes/facets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ibackupmon;
  if (size > 256 * 1024) return 0;
  auto dict = parsePlistDict(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!dict) return 0;
  auto info = parseAccountInfo(*dict);
  if (!info) {
    const std::string& m = info.error().message;
    if (m.rfind(kDataSyncDomain, 0) != 0 || !isValidUtf8(m)) std::abort();
    if (m.find_first_of("\r\n") != std::string::npos) std::abort();
    return 0;
  }
  bool listsAccounts = false;
  for (const auto& [cls, value] : *dict) {
    const auto* d = value.get<PlistDict>();
    if (d != nullptr && findKey(*d, "AccountNames") != nullptr) listsAccounts = true;
  }
  if (info->icloudSignedIn.has_value() != listsAccounts) std::abort();
  const auto& names = info->accountNames;
  if (names.size() > 32) std::abort();
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) std::abort();
  for (const auto& n : names) {
    if (!isValidUtf8(n) || sanitizeDeviceString(n) != n) std::abort();
  }
  const bool icloud = std::find(names.begin(), names.end(), "iCloud") != names.end();
  if (info->icloudSignedIn && *info->icloudSignedIn != icloud) std::abort();
  return 0;
}

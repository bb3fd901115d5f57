// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

#include <algorithm>

namespace ibackupmon {
namespace {

constexpr std::size_t kMaxAccountNames = 32;

Expected<bool> collectNames(const std::string& dataClass, const PlistDict& cls,
                            std::vector<std::string>& names) {
  const PlistValue* v = findKey(cls, "AccountNames");
  if (v == nullptr) return false;
  const auto* arr = v->get<PlistArray>();
  if (arr == nullptr) {
    return makeError(errc::kParse, std::string(kDataSyncDomain) + ": " + dataClass +
                                       ".AccountNames: expected array, found " + plistTypeName(*v));
  }
  for (const auto& item : *arr) {
    const auto* s = item.get<std::string>();
    if (s == nullptr) {
      return makeError(errc::kParse, std::string(kDataSyncDomain) + ": " + dataClass +
                                         ".AccountNames: expected strings, found " +
                                         plistTypeName(item));
    }
    if (names.size() < kMaxAccountNames &&
        std::find(names.begin(), names.end(), *s) == names.end()) {
      names.push_back(*s);
    }
  }
  return true;
}

}  // namespace

Expected<AccountInfo> parseAccountInfo(const PlistDict& dict) {
  AccountInfo info;
  bool anyList = false;
  for (const auto& [dataClass, value] : dict) {
    const auto* cls = value.get<PlistDict>();
    if (cls == nullptr) continue;  // other keys in the domain are not data classes
    auto listed = collectNames(dataClass, *cls, info.accountNames);
    if (!listed) return tl::unexpected(listed.error());
    anyList = anyList || *listed;
  }
  if (anyList) {
    info.icloudSignedIn = std::find(info.accountNames.begin(), info.accountNames.end(), "iCloud") !=
                          info.accountNames.end();
  }
  return info;
}

ProbeResult readAccount(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain(kDataSyncDomain);
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto info = parseAccountInfo(*dict);
  if (!info) return ProbeResult::failed(info.error());
  snapshot.account = std::move(*info);
  return ProbeResult::ok();
}

}  // namespace ibackupmon

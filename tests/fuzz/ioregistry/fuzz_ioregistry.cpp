// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: a diagnostics_relay IORegistry reply ({"IORegistry": {...}}) as bytes, as
// the Wi-Fi probe receives it: the entry is found or absent, never a crash, and the Wi-Fi state
// read from it is one of the three states; an entry that says nothing positive is Unknown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "device/ioregistry.h"
#include "device/plist_parse.h"
#include "probes/facets.h"
#include "same_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ibackupmon;
  if (size > 256 * 1024) return 0;
  auto reply = parsePlist(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!reply) return 0;
  auto entry = ioregistryEntryOf(*reply);
  const auto* root = reply->get<PlistDict>();
  const PlistValue* reg = root != nullptr ? findKey(*root, "IORegistry") : nullptr;
  const auto* regDict = reg != nullptr ? reg->get<PlistDict>() : nullptr;
  // Found exactly when the reply carries a non-empty IORegistry dict, and then it is that dict
  // (compared so that a NaN real, which a device may send, equals itself).
  if (entry.has_value() != (regDict != nullptr && !regDict->empty())) std::abort();
  if (entry && !fuzz::sameDict(*entry, *regDict)) std::abort();
  if (!entry) return 0;
  const WifiState state = parseWifiState(*entry);
  if (state != WifiState::Associated && state != WifiState::NotAssociated &&
      state != WifiState::Unknown) {
    std::abort();
  }
  if (findKey(*entry, "IOLinkStatus") == nullptr && findKey(*entry, "IO80211SSID") == nullptr &&
      state != WifiState::Unknown) {
    std::abort();
  }
  return 0;
}

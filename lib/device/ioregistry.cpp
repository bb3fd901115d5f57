// SPDX-License-Identifier: Apache-2.0
#include "device/ioregistry.h"

namespace ibackupmon {

std::optional<PlistDict> ioregistryEntryOf(const PlistValue& reply) {
  const auto* d = reply.get<PlistDict>();
  const PlistValue* reg = d != nullptr ? findKey(*d, "IORegistry") : nullptr;
  const auto* regDict = reg != nullptr ? reg->get<PlistDict>() : nullptr;
  if (regDict == nullptr || regDict->empty()) return std::nullopt;
  return *regDict;
}

}  // namespace ibackupmon

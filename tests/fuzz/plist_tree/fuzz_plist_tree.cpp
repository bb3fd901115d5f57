// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the lockdown value tree. Any bytes, read as libplist reads a device's reply
// (XML or binary, any root), give a PlistValue or a named error, never a crash; the tree keeps
// the limits of lib/device/plist_convert.h (depth, node count, data size) and every string in
// it, keys included, is already sanitised (a fixed point of sanitizeDeviceString).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/sanitize.h"
#include "device/plist_convert.h"
#include "device/plist_parse.h"
#include "same_tree.h"

namespace {

using namespace ibackupmon;
using fuzz::sameDict;

void checkText(const std::string& s) {
  if (!isValidUtf8(s) || s.size() > kMaxDeviceStringBytes) std::abort();
  if (sanitizeDeviceString(s) != s) std::abort();
}

// Walks the tree; returns the number of nodes.
std::size_t walk(const PlistValue& v, int depth) {
  if (depth > kMaxPlistDepth + 1) std::abort();
  if (plistTypeName(v) == nullptr) std::abort();
  std::size_t nodes = 1;
  if (const auto* s = v.get<std::string>()) checkText(*s);
  if (const auto* d = v.get<PlistData>(); d && d->bytes.size() > kMaxPlistDataBytes) std::abort();
  if (const auto* a = v.get<PlistArray>()) {
    for (const auto& item : *a) nodes += walk(item, depth + 1);
  }
  if (const auto* d = v.get<PlistDict>()) {
    for (const auto& [key, item] : *d) {
      checkText(key);
      if (findKey(*d, key) != &item) std::abort();
      nodes += walk(item, depth + 1);
    }
  }
  return nodes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 512 * 1024) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto value = parsePlist(bytes);
  if (!value) {
    if (value.error().code != "plist_invalid" || value.error().message.empty()) std::abort();
    if (!isValidUtf8(value.error().message)) std::abort();
    return 0;
  }
  if (walk(*value, 0) > kMaxPlistItems) std::abort();
  // A dict root is what a domain read gets; anything else must be refused by name.
  auto dict = parsePlistDict(bytes);
  if (value->get<PlistDict>() != nullptr) {
    if (!dict || !sameDict(*dict, *value->get<PlistDict>())) std::abort();
  } else if (dict || dict.error().message.empty()) {
    std::abort();
  }
  return 0;
}

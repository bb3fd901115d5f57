// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the lockdown value tree. Any bytes, read as libplist reads a device's reply
// (XML or binary, any root), give a PlistValue or a named error, never a crash; the tree keeps
// the limits of lib/device/plist_convert.h (depth, node count, data size) and every string in
// it, keys included, is already sanitised (a fixed point of sanitizeDeviceString).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/sanitize.h"
#include "device/plist_convert.h"
#include "device/plist_parse.h"

namespace {

using namespace ibackupmon;

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

// Tree equality in which a NaN real equals a NaN real: a device may send one, the tree keeps it
// (every reader of a real checks its range), and NaN != NaN would make one tree differ from itself.
bool sameTree(const PlistValue& a, const PlistValue& b);

bool sameDict(const PlistDict& a, const PlistDict& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || !sameTree(i->second, j->second)) return false;
  }
  return true;
}

bool sameTree(const PlistValue& a, const PlistValue& b) {
  if (const auto* x = a.get<double>()) {
    const auto* y = b.get<double>();
    return y != nullptr && (*x == *y || (std::isnan(*x) && std::isnan(*y)));
  }
  if (const auto* x = a.get<PlistArray>()) {
    const auto* y = b.get<PlistArray>();
    if (y == nullptr || x->size() != y->size()) return false;
    for (std::size_t i = 0; i < x->size(); ++i) {
      if (!sameTree((*x)[i], (*y)[i])) return false;
    }
    return true;
  }
  if (const auto* x = a.get<PlistDict>()) {
    const auto* y = b.get<PlistDict>();
    return y != nullptr && sameDict(*x, *y);
  }
  return a == b;
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

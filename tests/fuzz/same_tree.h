// SPDX-License-Identifier: Apache-2.0
#pragma once
// Tree equality for the harnesses, in which a NaN real equals a NaN real: a device may send one,
// the tree keeps it (every reader of a real checks its range), and NaN != NaN would make a tree
// differ from its own copy.
#include <cmath>
#include <cstddef>

#include "device/plist_value.h"

namespace ibackupmon::fuzz {

inline bool sameTree(const PlistValue& a, const PlistValue& b);

inline bool sameDict(const PlistDict& a, const PlistDict& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || !sameTree(i->second, j->second)) return false;
  }
  return true;
}

inline bool sameTree(const PlistValue& a, const PlistValue& b) {
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

}  // namespace ibackupmon::fuzz

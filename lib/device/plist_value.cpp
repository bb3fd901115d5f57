// SPDX-License-Identifier: Apache-2.0
#include "device/plist_value.h"

namespace ibackupmon {

const char* plistTypeName(const PlistValue& v) {
  struct Namer {
    const char* operator()(std::monostate) const { return "null"; }
    const char* operator()(bool) const { return "bool"; }
    const char* operator()(std::int64_t) const { return "integer"; }
    const char* operator()(double) const { return "real"; }
    const char* operator()(const std::string&) const { return "string"; }
    const char* operator()(const PlistDate&) const { return "date"; }
    const char* operator()(const PlistData&) const { return "data"; }
    const char* operator()(const PlistArray&) const { return "array"; }
    const char* operator()(const PlistDict&) const { return "dict"; }
  };
  return std::visit(Namer{}, v.value);
}

const PlistValue* findKey(const PlistDict& dict, const std::string& key) {
  auto it = dict.find(key);
  return it == dict.end() ? nullptr : &it->second;
}

}  // namespace ibackupmon

#include "plist_util.h"

#include <cstdlib>

namespace sim {
namespace {

// plist_get_string_val asserts (aborts) on strings with embedded NULs, which any client can
// send: read through the pointer and length instead.
std::string stringOf(plist_t node) {
  uint64_t len = 0;
  const char* p = plist_get_string_ptr(node, &len);
  return p ? std::string(p, len) : std::string();
}

}  // namespace

Plist parsePlist(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > UINT32_MAX) return nullptr;
  plist_t out = nullptr;
  if (bytes.size() >= 8 && bytes.substr(0, 6) == "bplist") {
    plist_from_bin(bytes.data(), static_cast<uint32_t>(bytes.size()), &out);
  } else {
    plist_from_xml(bytes.data(), static_cast<uint32_t>(bytes.size()), &out);
  }
  return Plist(out);
}

std::string toXml(plist_t node) {
  char* xml = nullptr;
  uint32_t len = 0;
  plist_to_xml(node, &xml, &len);
  std::string out(xml ? xml : "", xml ? len : 0);
  if (xml) plist_to_xml_free(xml);
  return out;
}

std::string toBinary(plist_t node) {
  char* bin = nullptr;
  uint32_t len = 0;
  plist_to_bin(node, &bin, &len);
  std::string out(bin ? bin : "", bin ? len : 0);
  if (bin) plist_to_bin_free(bin);
  return out;
}

Plist copyPlist(plist_t node) {
  return Plist(node ? plist_copy(node) : nullptr);
}
Plist newDict() {
  return Plist(plist_new_dict());
}

std::optional<std::string> dictString(plist_t dict, const char* key) {
  if (!dict || plist_get_node_type(dict) != PLIST_DICT) return std::nullopt;
  plist_t n = plist_dict_get_item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_STRING) return std::nullopt;
  return stringOf(n);
}

std::optional<bool> dictBool(plist_t dict, const char* key) {
  if (!dict || plist_get_node_type(dict) != PLIST_DICT) return std::nullopt;
  plist_t n = plist_dict_get_item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_BOOLEAN) return std::nullopt;
  uint8_t b = 0;
  plist_get_bool_val(n, &b);
  return b != 0;
}

std::optional<uint64_t> dictUint(plist_t dict, const char* key) {
  if (!dict || plist_get_node_type(dict) != PLIST_DICT) return std::nullopt;
  plist_t n = plist_dict_get_item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_UINT) return std::nullopt;
  uint64_t v = 0;
  plist_get_uint_val(n, &v);
  return v;
}

void dictSet(plist_t dict, const char* key, plist_t value) {
  plist_dict_set_item(dict, key, value);
}

void dictSetString(plist_t dict, const char* key, const std::string& value) {
  plist_dict_set_item(dict, key, plist_new_string(value.c_str()));
}

std::string describeValue(plist_t node) {
  if (!node) return "(none)";
  switch (plist_get_node_type(node)) {
    case PLIST_BOOLEAN: {
      uint8_t b = 0;
      plist_get_bool_val(node, &b);
      return b ? "true" : "false";
    }
    case PLIST_UINT: {
      uint64_t v = 0;
      plist_get_uint_val(node, &v);
      return std::to_string(static_cast<int64_t>(v));
    }
    case PLIST_REAL: {
      double d = 0;
      plist_get_real_val(node, &d);
      return "real:" + std::to_string(d);
    }
    case PLIST_STRING: return stringOf(node);
    case PLIST_DATE: {
      int32_t sec = 0, usec = 0;
      plist_get_date_val(node, &sec, &usec);
      return "date:" + std::to_string(int64_t{sec} + kAppleEpochOffset);
    }
    case PLIST_DATA: return "data";
    case PLIST_DICT: return "dict";
    case PLIST_ARRAY: return "array";
    default: return "?";
  }
}

}  // namespace sim

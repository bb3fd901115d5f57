// SPDX-License-Identifier: Apache-2.0
#include "plist_util.h"

#include <cstdlib>
#include <cstring>

#include "core/sanitize.h"

namespace sim {
namespace {

// plist_get_string_val asserts (aborts) on strings with embedded NULs, which any client can
// send: read through the pointer and length instead.
std::string stringOf(plist_t node) {
  uint64_t len = 0;
  const char* p = plist_get_string_ptr(node, &len);
  return p ? std::string(p, len) : std::string();
}

// Code points of valid UTF-8 as UTF-16 code units.
std::u16string utf16Of(std::string_view utf8) {
  std::u16string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

// A binary plist whose only object is one string (marker 0x5 bytes, 0x6 UTF-16 big-endian).
std::string oneStringBplist(unsigned char marker, const std::string& payload, std::size_t count) {
  std::string b = "bplist00";
  if (count < 15) {
    b += static_cast<char>(marker << 4 | count);
  } else {
    b += static_cast<char>(marker << 4 | 0xF);
    b += '\x13';  // an 8-byte integer follows
    for (int shift = 56; shift >= 0; shift -= 8) b += static_cast<char>((count >> shift) & 0xFF);
  }
  b += payload;
  const std::size_t table = b.size();
  std::string trailer(32, '\0');
  for (int i = 0; i < 8; ++i) b += static_cast<char>(i < 7 ? 0 : 8);  // object 0 at offset 8
  trailer[6] = 8;                                                     // offset size
  trailer[7] = 1;                                                     // object reference size
  trailer[15] = 1;                                                    // one object
  for (int i = 0; i < 8; ++i) trailer[24 + i] = static_cast<char>((table >> (56 - 8 * i)) & 0xFF);
  return b + trailer;
}

// Runs one of libplist's writers and frees its buffer with the matching free function.
std::string serialize(plist_t node, void (*write)(plist_t, char**, uint32_t*),
                      void (*release)(char*)) {
  char* buffer = nullptr;
  uint32_t len = 0;
  write(node, &buffer, &len);
  std::string out(buffer ? buffer : "", buffer ? len : 0);
  if (buffer) release(buffer);
  return out;
}

// The item `key` of `dict` when it is of `type`; nullptr otherwise, or when `dict` is no dict.
plist_t dictItem(plist_t dict, const char* key, plist_type type) {
  if (!dict || plist_get_node_type(dict) != PLIST_DICT) return nullptr;
  plist_t n = plist_dict_get_item(dict, key);
  return n && plist_get_node_type(n) == type ? n : nullptr;
}

}  // namespace

Plist newStringBytes(std::string_view bytes) {
  const bool nul = bytes.find('\0') != std::string_view::npos;
  const bool utf8 = ibackupmon::isValidUtf8(bytes);
  std::string bplist;
  if (!nul) {
    // libplist keeps a byte string (marker 0x5) as it is, whatever the bytes.
    bplist = oneStringBplist(0x5, std::string(bytes), bytes.size());
  } else if (utf8) {
    // Only a UTF-16 string keeps its NUL code units through libplist 2.2's reader.
    const std::u16string units = utf16Of(bytes);
    std::string payload;
    for (char16_t u : units) {
      payload += static_cast<char>(u >> 8);
      payload += static_cast<char>(u & 0xFF);
    }
    bplist = oneStringBplist(0x6, payload, units.size());
  } else {
    return nullptr;
  }
  Plist out = parsePlist(bplist);
  if (!out || plist_get_node_type(out.get()) != PLIST_STRING) return nullptr;
  return out;
}

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
  return serialize(node, plist_to_xml, plist_to_xml_free);
}

std::string toBinary(plist_t node) {
  return serialize(node, plist_to_bin, plist_to_bin_free);
}

Plist copyPlist(plist_t node) {
  if (!node) return nullptr;
  switch (plist_get_node_type(node)) {
    case PLIST_STRING: {
      uint64_t len = 0;
      const char* p = plist_get_string_ptr(node, &len);
      if (p && std::memchr(p, 0, len) != nullptr) return newStringBytes(std::string_view(p, len));
      return Plist(plist_copy(node));
    }
    case PLIST_ARRAY: {
      Plist out(plist_new_array());
      for (uint32_t i = 0; i < plist_array_get_size(node); ++i) {
        plist_array_append_item(out.get(), copyPlist(plist_array_get_item(node, i)).release());
      }
      return out;
    }
    case PLIST_DICT: {
      Plist out = newDict();
      plist_dict_iter it = nullptr;
      plist_dict_new_iter(node, &it);
      for (;;) {
        char* key = nullptr;
        plist_t child = nullptr;
        plist_dict_next_item(node, it, &key, &child);
        if (!key) break;
        plist_dict_set_item(out.get(), key, copyPlist(child).release());
        std::free(key);
      }
      std::free(it);
      return out;
    }
    default: return Plist(plist_copy(node));
  }
}
Plist newDict() {
  return Plist(plist_new_dict());
}

std::optional<std::string> dictString(plist_t dict, const char* key) {
  plist_t n = dictItem(dict, key, PLIST_STRING);
  if (!n) return std::nullopt;
  return stringOf(n);
}

std::optional<bool> dictBool(plist_t dict, const char* key) {
  plist_t n = dictItem(dict, key, PLIST_BOOLEAN);
  if (!n) return std::nullopt;
  uint8_t b = 0;
  plist_get_bool_val(n, &b);
  return b != 0;
}

std::optional<uint64_t> dictUint(plist_t dict, const char* key) {
  plist_t n = dictItem(dict, key, PLIST_UINT);
  if (!n) return std::nullopt;
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

void dictSetUint(plist_t dict, const char* key, uint64_t value) {
  plist_dict_set_item(dict, key, plist_new_uint(value));
}

void dictSetBool(plist_t dict, const char* key, bool value) {
  plist_dict_set_item(dict, key, plist_new_bool(value ? 1 : 0));
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

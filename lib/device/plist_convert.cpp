// SPDX-License-Identifier: Apache-2.0
#include "device/plist_convert.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/sanitize.h"
#include "device/plist_parse.h"

namespace ibackupmon {
namespace {

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }  // NOLINT: libplist allocates with malloc
};
using CString = std::unique_ptr<char, FreeDeleter>;

class Converter {
 public:
  PlistValue convert(plist_t node, int depth) {
    if (node == nullptr || depth > kMaxPlistDepth || ++items_ > kMaxPlistItems) return {};
    switch (plist_get_node_type(node)) {
      case PLIST_BOOLEAN: {
        std::uint8_t b = 0;
        plist_get_bool_val(node, &b);
        return PlistValue(b != 0);
      }
      case PLIST_UINT: {
        std::uint64_t u = 0;
        plist_get_uint_val(node, &u);
        // libplist 2.2 keeps signed integers in the same 64 bits: reinterpret, never overflow.
        return PlistValue(static_cast<std::int64_t>(u));
      }
      case PLIST_REAL: {
        double d = 0;
        plist_get_real_val(node, &d);
        return PlistValue(d);
      }
      case PLIST_STRING: return PlistValue(stringOf(node, false));
      case PLIST_KEY: return PlistValue(stringOf(node, true));
      case PLIST_DATE: {
        std::int32_t sec = 0;
        std::int32_t usec = 0;
        plist_get_date_val(node, &sec, &usec);
        return PlistValue(PlistDate{static_cast<double>(sec) + usec / 1e6});
      }
      case PLIST_DATA: return PlistValue(dataOf(node));
      case PLIST_ARRAY: return array(node, depth);
      case PLIST_DICT: return dict(node, depth);
      default: return {};
    }
  }

 private:
  static std::string stringOf(plist_t node, bool key) {
    if (!key) {
      // A UTF-16 string of a binary plist may hold U+0000. libplist 2.2's plist_get_string_val
      // asserts (aborts) on it, and plist_copy (lockdownd_get_value returns a copy) strdup()s
      // the text but keeps the full length: read up to the first NUL, never past it.
      std::uint64_t len = 0;
      const char* p = plist_get_string_ptr(node, &len);
      return p ? sanitizeDeviceString(std::string_view(p, ::strnlen(p, len))) : std::string();
    }
    return sanitizeDeviceString(keyText(node));
  }

  // A key of a binary plist is UTF-16 and may hold U+0000; libplist 2.2 hands keys out only
  // through plist_get_key_val, which asserts (aborts) on one. Its XML writer copies a key's every
  // byte, escaping only <, > and &: the key is read back from there, up to its first NUL.
  static std::string keyText(plist_t node) {
    char* raw = nullptr;
    std::uint32_t len = 0;
    plist_to_xml(node, &raw, &len);
    CString xml(raw);
    if (!xml) return {};
    const std::string_view text(xml.get(), len);
    constexpr std::string_view kOpen = "<key>";
    const std::size_t open = text.find(kOpen);
    if (open == std::string_view::npos) return {};
    std::string_view rest = text.substr(open + kOpen.size());
    rest = rest.substr(0, rest.find_first_of(std::string_view("<\0", 2)));
    std::string key;
    key.reserve(rest.size());
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      key.append(rest.substr(0, amp));
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp);
      bool known = false;
      for (const auto& [entity, c] :
           {std::pair{std::string_view("&lt;"), '<'}, std::pair{std::string_view("&gt;"), '>'},
            std::pair{std::string_view("&amp;"), '&'}}) {
        if (rest.substr(0, entity.size()) == entity) {
          key.push_back(c);
          rest.remove_prefix(entity.size());
          known = true;
          break;
        }
      }
      if (!known) {  // never written by libplist; kept as it stands
        key.push_back('&');
        rest.remove_prefix(1);
      }
    }
    return key;
  }

  static PlistData dataOf(plist_t node) {
    char* raw = nullptr;
    std::uint64_t len = 0;
    plist_get_data_val(node, &raw, &len);
    CString s(raw);
    if (!s) return {};
    return PlistData{std::string(s.get(), std::min<std::uint64_t>(len, kMaxPlistDataBytes))};
  }

  PlistValue array(plist_t node, int depth) {
    PlistArray out;
    const std::uint32_t n = plist_array_get_size(node);
    for (std::uint32_t i = 0; i < n && items_ < kMaxPlistItems; ++i) {
      out.push_back(convert(plist_array_get_item(node, i), depth + 1));
    }
    return PlistValue(std::move(out));
  }

  PlistValue dict(plist_t node, int depth) {
    PlistDict out;
    plist_dict_iter it = nullptr;
    plist_dict_new_iter(node, &it);
    while (it != nullptr && items_ < kMaxPlistItems) {
      plist_t child = nullptr;
      plist_dict_next_item(node, it, nullptr, &child);  // a key is read by keyText, never here
      const plist_t key = child ? plist_dict_item_get_key(child) : nullptr;
      if (key == nullptr) break;
      out.insert_or_assign(stringOf(key, true), convert(child, depth + 1));
    }
    std::free(it);  // NOLINT: libplist 2.2 allocates the iterator with malloc
    return PlistValue(std::move(out));
  }

  std::size_t items_ = 0;
};

struct PlistDeleter {
  void operator()(plist_t p) const { plist_free(p); }
};

}  // namespace

PlistValue fromPlistNode(plist_t node) {
  Converter c;
  return c.convert(node, 0);
}

Expected<PlistValue> parsePlist(std::string_view bytes) {
  if (bytes.size() > (64u << 20)) return makeError("plist_invalid", "plist larger than 64 MiB");
  plist_t root = nullptr;
  const auto len = static_cast<std::uint32_t>(bytes.size());
  if (bytes.size() >= 8 && bytes.substr(0, 6) == "bplist") {
    plist_from_bin(bytes.data(), len, &root);
  } else {
    plist_from_xml(bytes.data(), len, &root);
  }
  std::unique_ptr<void, PlistDeleter> owned(root);
  if (root == nullptr) {
    return makeError("plist_invalid", "not a well-formed XML or binary property list");
  }
  return fromPlistNode(root);
}

Expected<PlistDict> parsePlistDict(std::string_view bytes) {
  auto v = parsePlist(bytes);
  if (!v) return tl::unexpected(v.error());
  if (const auto* d = v->get<PlistDict>()) return *d;
  return makeError("plist_invalid", std::string("root of the property list is a ") +
                                        plistTypeName(*v) + ", expected a dict");
}

}  // namespace ibackupmon

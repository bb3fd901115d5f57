// SPDX-License-Identifier: Apache-2.0
#include "device_values.h"

#include <charconv>
#include <optional>

#include "core/sanitize.h"

#include "power_source.h"
#include "product_catalog.h"

namespace sim {
namespace {

int64_t appleSeconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() -
         kAppleEpochOffset;
}

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<std::string> decodeHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned int byte = 0;
    auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (ec != std::errc() || p != hex.data() + i + 2) return std::nullopt;
    out += static_cast<char>(byte);
  }
  return out;
}

ibackupmon::Expected<Plist> fromPrefixed(const std::string& s, SysTime now) {
  auto bad = [&](const char* what) {
    return ibackupmon::makeError("bad_value", "value '" + s + "': " + what);
  };
  auto rest = [&](size_t n) { return std::string_view(s).substr(n); };
  if (s == "now") return Plist(plist_new_uint(static_cast<uint64_t>(appleSeconds(now))));
  if (s.starts_with("ago:") || s.starts_with("date-ago:")) {
    bool date = s.starts_with("date-ago:");
    auto d = ibackupmon::parseDuration(rest(date ? 9 : 4));
    if (!d) return bad("expected a duration such as 9d, 36h or 1h30m");
    int64_t secs = appleSeconds(now - *d);
    if (date) return Plist(plist_new_date(static_cast<int32_t>(secs), 0));
    return Plist(plist_new_uint(static_cast<uint64_t>(secs)));
  }
  if (s.starts_with("date:")) {
    auto v = parseInt(rest(5));
    if (!v) return bad("expected date:UNIX_SECONDS");
    return Plist(plist_new_date(static_cast<int32_t>(*v - kAppleEpochOffset), 0));
  }
  if (s.starts_with("int:")) {
    auto v = parseInt(rest(4));
    if (!v) return bad("expected int:INTEGER");
    return Plist(plist_new_uint(static_cast<uint64_t>(*v)));
  }
  if (s.starts_with("real:")) {
    try {
      return Plist(plist_new_real(std::stod(std::string(rest(5)))));
    } catch (...) {
      return bad("expected real:NUMBER");
    }
  }
  if (s.starts_with("bool:")) {
    if (rest(5) == "true") return Plist(plist_new_bool(1));
    if (rest(5) == "false") return Plist(plist_new_bool(0));
    return bad("expected bool:true or bool:false");
  }
  if (s.starts_with("string-hex:")) {
    auto bytes = decodeHex(rest(11));
    if (!bytes) return bad("expected string-hex: and pairs of hex digits");
    Plist node = newStringBytes(*bytes);
    if (!node) return bad("a string with NUL must otherwise be valid UTF-8 (libplist 2.2)");
    return node;
  }
  if (s.starts_with("string:")) return Plist(plist_new_string(std::string(rest(7)).c_str()));
  if (s.starts_with("data:")) {
    return Plist(plist_new_data(s.data() + 5, static_cast<uint64_t>(s.size() - 5)));
  }
  return Plist(plist_new_string(s.c_str()));
}

}  // namespace

ibackupmon::Expected<Plist> makeValue(const ValueSpec& spec, SysTime now) {
  if (auto* b = std::get_if<bool>(&spec)) return Plist(plist_new_bool(*b ? 1 : 0));
  if (auto* i = std::get_if<int64_t>(&spec))
    return Plist(plist_new_uint(static_cast<uint64_t>(*i)));
  if (auto* d = std::get_if<double>(&spec)) return Plist(plist_new_real(*d));
  return fromPrefixed(std::get<std::string>(spec), now);
}

ValueSpec parseValueText(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (auto v = parseInt(text)) return *v;
  return text;
}

std::string portableValueText(const std::string& text) {
  if (ibackupmon::isValidUtf8(text)) return text;
  std::string_view bytes(text);
  if (bytes.starts_with("string:")) bytes.remove_prefix(7);
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out = "string-hex:";
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::string valueText(const ValueSpec& spec) {
  if (auto* b = std::get_if<bool>(&spec)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&spec)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&spec)) return "real:" + std::to_string(*d);
  return std::get<std::string>(spec);
}

uint64_t udidHash(const std::string& udid) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : udid) h = (h ^ c) * 1099511628211ULL;
  return h;
}

ibackupmon::Expected<std::map<std::string, Plist>> buildDomains(
    const DeviceSpec& spec, const std::string& devicePublicKeyPem, SysTime now) {
  std::map<std::string, Plist> domains =
      defaultDomains(spec, udidHash(spec.udid), appleSeconds(now));
  plist_t root = domains[""].get();
  plist_dict_set_item(root, "DevicePublicKey",
                      plist_new_data(devicePublicKeyPem.data(), devicePublicKeyPem.size()));
  addComputerBackupDomains(domains);
  for (const auto& [domain, keys] : spec.values) {
    Plist& dict = domains[domain];
    if (!dict) dict = newDict();
    for (const auto& [key, value] : keys) {
      // "absent" takes a key out of the defaults (the battery entry's overrides keep the marker:
      // power_source.h applies it).
      if (const auto* text = std::get_if<std::string>(&value);
          text != nullptr && *text == "absent" && domain != kPowerSourceDomain) {
        plist_dict_remove_item(dict.get(), key.c_str());
        continue;
      }
      auto node = makeValue(value, now);
      if (!node) {
        return ibackupmon::makeError("bad_value", spec.udid + " " +
                                                      (domain.empty() ? "-" : domain) + " " + key +
                                                      ": " + node.error().message);
      }
      plist_dict_set_item(dict.get(), key.c_str(), node->release());
    }
  }
  return domains;
}

}  // namespace sim

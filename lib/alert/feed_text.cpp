// SPDX-License-Identifier: Apache-2.0
#include "alert/feed_text.h"

#include <cctype>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/sanitize.h"

namespace ibackupmon {
namespace {

using nlohmann::json;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

std::string_view trim(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool isCallbackChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' || c == '.';
}

// `jsonCallback({...});` -> `{...}`; nullopt when the text is not such a wrapper.
std::optional<std::string_view> stripJsonp(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && isCallbackChar(s[i])) ++i;
  if (i == 0 || std::isdigit(static_cast<unsigned char>(s[0])) != 0) return std::nullopt;
  while (i < s.size() && isSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '(') return std::nullopt;
  std::string_view tail = s;
  while (!tail.empty() && (isSpace(tail.back()) || tail.back() == ';')) tail.remove_suffix(1);
  if (tail.size() <= i + 1 || tail.back() != ')') return std::nullopt;
  return trim(tail.substr(i + 1, tail.size() - i - 2));
}

std::string htmlTitle(std::string_view page) {
  const std::string lower = asciiLower(page.substr(0, 64 * 1024));
  const auto open = lower.find("<title");
  if (open == std::string::npos) return {};
  const auto start = lower.find('>', open);
  const auto close = lower.find("</title", open);
  if (start == std::string::npos || close == std::string::npos || close < start) return {};
  return sanitizeDeviceString(unescapeHtml(page.substr(start + 1, close - start - 1)), 100);
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The code point of a reference body ("amp", "#39", "#x27"); nullopt when unknown or invalid.
std::optional<std::uint32_t> referenceCodePoint(std::string_view ref) {
  if (ref == "amp") return '&';
  if (ref == "lt") return '<';
  if (ref == "gt") return '>';
  if (ref == "quot") return '"';
  if (ref == "apos") return '\'';
  if (ref == "nbsp") return 0xA0;
  if (ref.size() < 2 || ref[0] != '#') return std::nullopt;
  const bool hex = ref[1] == 'x' || ref[1] == 'X';
  const std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return std::nullopt;
  std::uint32_t cp = 0;
  for (char c : digits) {
    const int d = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                  : hex && std::isxdigit(static_cast<unsigned char>(c)) != 0
                      ? (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10)
                      : -1;
    if (d < 0) return std::nullopt;
    cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return cp;
}

}  // namespace

Expected<json> parseFeedJson(std::string_view body, std::size_t maxBytes, const std::string& feed,
                             const std::string& label) {
  if (body.size() > maxBytes) {
    return makeError(feed + "_too_large", label + ": " + std::to_string(body.size()) +
                                              " bytes, more than the limit of " +
                                              std::to_string(maxBytes));
  }
  std::string_view text = trim(body);
  if (text.empty()) return makeError(feed + "_json", label + ": empty response");
  if (text.front() == '<') {
    const std::string title = htmlTitle(text);
    return makeError(feed + "_html", label + ": got an HTML page, not the feed" +
                                         (title.empty() ? "" : " (title \"" + title + "\")") +
                                         "; a proxy, captive portal or error page?");
  }
  if (text.front() != '{' && text.front() != '[') {
    const auto inner = stripJsonp(text);
    if (!inner) {
      return makeError(feed + "_json", label + ": neither JSON nor JSONP (starts with \"" +
                                           sanitizeDeviceString(text.substr(0, 40), 40) + "\")");
    }
    text = *inner;
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return makeError(feed + "_json", label + ": malformed JSON: " + e.what());
  }
}

std::string unescapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const auto semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        if (const auto cp = referenceCodePoint(text.substr(i + 1, semi - i - 1))) {
          appendUtf8(out, *cp);
          i = semi;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

std::string asciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string normalizeName(std::string_view text) {
  std::string out;
  bool pendingSpace = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool nbsp = text[i] == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
    if (isSpace(text[i]) || nbsp) {
      pendingSpace = !out.empty();
      if (nbsp) ++i;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += text[i];
  }
  return asciiLower(out);
}

std::string describeJson(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return "string \"" + sanitizeDeviceString(value.get_ref<const std::string&>(), 40) + "\"";
    default: return "number " + value.dump();
  }
}

std::string describeKeys(const json& object) {
  std::string out;
  std::size_t n = 0;
  for (const auto& item : object.items()) {
    if (n++ == 6) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += sanitizeDeviceString(item.key(), 40);
  }
  return out.empty() ? "none" : out;
}

}  // namespace ibackupmon

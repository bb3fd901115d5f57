// SPDX-License-Identifier: Apache-2.0
#include "alert/mime.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <random>

#include "core/base64.h"
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kFoldColumn = 78;
constexpr std::size_t kWordBytes = 39;  // 39 bytes -> 52 base64 chars -> 64-char encoded-word
constexpr char kHex[] = "0123456789ABCDEF";

bool isContinuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

bool needsEncoding(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c > 0x7E) return true;
  }
  return v.find("=?") != std::string_view::npos;
}

// Folds an ASCII header at spaces; a word longer than a line stays whole (still under 998).
std::string foldAscii(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  std::size_t col = out.size();
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t sp = value.find(' ', pos);
    std::string_view word = value.substr(pos, sp == std::string_view::npos ? sp : sp - pos);
    if (col + 1 + word.size() > kFoldColumn && col > name.size() + 1) {
      out += "\r\n";
      col = 0;
    }
    out += ' ';
    out += word;
    col += 1 + word.size();
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return out + "\r\n";
}

}  // namespace

std::string stripControls(std::string_view text) {
  std::string valid =
      isValidUtf8(text) ? std::string(text) : sanitizeDeviceString(text, text.size());
  std::string out;
  out.reserve(valid.size());
  for (unsigned char c : valid) {
    if (c < 0x20 || c == 0x7F) {
      // A line break becomes one space, so "a\r\nBcc:" reads "a Bcc:" and stays one line.
      if ((c == '\t' || c == '\r' || c == '\n') && !out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string cleanDeviceText(std::string_view text, std::size_t max_bytes) {
  return truncateUtf8(stripControls(text), max_bytes);
}

std::string truncateUtf8(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (cut > 0 && isContinuation(static_cast<unsigned char>(text[cut]))) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

std::string encodeHeader(std::string_view name, std::string_view value) {
  std::string clean = stripControls(value);
  if (!needsEncoding(clean)) return foldAscii(name, clean);
  std::string out = std::string(name) + ":";
  std::size_t pos = 0;
  bool first = true;
  while (pos < clean.size()) {
    std::size_t len = std::min(kWordBytes, clean.size() - pos);
    while (len > 0 && pos + len < clean.size() &&
           isContinuation(static_cast<unsigned char>(clean[pos + len]))) {
      --len;
    }
    if (len == 0) len = std::min(kWordBytes, clean.size() - pos);  // invalid run: cut anyway
    out += first ? " " : "\r\n ";
    out += "=?UTF-8?B?" + base64Encode(clean.substr(pos, len)) + "?=";
    pos += len;
    first = false;
  }
  return out + "\r\n";
}

std::string quotedPrintable(std::string_view text) {
  constexpr std::size_t kMax = 75;  // plus "=" soft break = 76
  std::string out;
  std::string line;
  auto flushSoft = [&] {
    out += line + "=\r\n";
    line.clear();
  };
  auto emit = [&](const std::string& piece) {
    if (line.size() + piece.size() > kMax) flushSoft();
    line += piece;
  };
  auto encoded = [](unsigned char c) { return std::string{'=', kHex[c >> 4], kHex[c & 15]}; };
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      out += line;
      if (i < text.size()) out += "\r\n";
      line.clear();
      continue;
    }
    auto c = static_cast<unsigned char>(text[i]);
    bool atLineEnd = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    if (c == '\r') continue;
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !atLineEnd);
    std::string piece = literal ? std::string(1, static_cast<char>(c)) : encoded(c);
    if (line.size() + piece.size() > kMax) flushSoft();
    // A line starting with "." could be taken for (part of) SMTP's end-of-data marker.
    if (line.empty() && c == '.') piece = encoded(c);
    emit(piece);
  }
  return out;
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string urlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string rfc5322Date(TimePoint t) {
  std::time_t tt = static_cast<std::time_t>(toUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string makeMessageId(std::string_view host, TimePoint now) {
  std::string domain;
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') domain += c;
  }
  if (domain.empty()) domain = "localhost";
  std::random_device rd;
  std::uint64_t r = (std::uint64_t(rd()) << 32) | rd();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(r));
  return "<" + std::to_string(toUnixSeconds(now)) + "." + buf + ".ibackupmon@" +
         truncateUtf8(domain, 200) + ">";
}

std::string bareAddress(std::string_view mailbox) {
  std::string m = stripControls(mailbox);
  auto lt = m.rfind('<');
  auto gt = m.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
    return m.substr(lt + 1, gt - lt - 1);
  }
  return m;
}

}  // namespace ibackupmon

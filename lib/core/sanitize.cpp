// SPDX-License-Identifier: Apache-2.0
#include "core/sanitize.h"

namespace ibackupmon {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid; its code point
/// goes to *code_point.
std::size_t validSequenceLength(std::string_view s, std::size_t i, char32_t* code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  *code_point = c;
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned int cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  *code_point = cp;
  return len;
}

struct Range {
  char32_t first, last;
};

// Unicode general category Cf (format characters): invisible, and the bidi embeddings, overrides
// and isolates among them reorder what is displayed around them ("iPad\u202Egpj.exe"). ZWNJ and
// ZWJ (U+200C, U+200D) stay: emoji sequences and several scripts need them, and they reorder
// nothing.
constexpr Range kFormatCharacters[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200B},   {0x200E, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},
    {0x2066, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

bool isFormatCharacter(char32_t cp) {
  for (const Range& r : kFormatCharacters) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

bool isControl(std::string_view seq) {
  const auto c = static_cast<unsigned char>(seq[0]);
  if (seq.size() == 1) return c < 0x20 || c == 0x7F;
  // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F; also drop line/paragraph separators.
  if (seq.size() == 2 && c == 0xC2 && static_cast<unsigned char>(seq[1]) <= 0x9F) return true;
  return seq == "\xE2\x80\xA8" || seq == "\xE2\x80\xA9";
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = validSequenceLength(text, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string sanitizeDeviceString(std::string_view raw, std::size_t max_bytes) {
  std::string out;
  out.reserve(raw.size() < max_bytes ? raw.size() : max_bytes);
  for (std::size_t i = 0; i < raw.size();) {
    char32_t cp = 0;
    const std::size_t len = validSequenceLength(raw, i, &cp);
    std::string_view piece = len == 0 ? kReplacement : raw.substr(i, len);
    i += len == 0 ? 1 : len;
    if (len != 0 && isFormatCharacter(cp)) continue;
    if (len != 0 && isControl(piece)) {
      // A control between words becomes a space so "Cart\r\nBcc" reads "Cart Bcc".
      if (!out.empty() && out.back() != ' ')
        piece = " ";
      else
        continue;
    }
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(' ');
  return out.substr(first, last - first + 1);
}

}  // namespace ibackupmon

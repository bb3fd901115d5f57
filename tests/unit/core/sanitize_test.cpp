// SPDX-License-Identifier: Apache-2.0
#include "core/sanitize.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(SanitizeTest, KeepsOrdinaryNames) {
  EXPECT_EQ(sanitizeDeviceString("iPad-Cart3-17"), "iPad-Cart3-17");
  EXPECT_EQ(sanitizeDeviceString("Zoë’s iPhone"), "Zoë’s iPhone");
}

TEST(SanitizeTest, RemovesControlCharacters) {
  EXPECT_EQ(sanitizeDeviceString("Cart\r\nBcc: evil@example.com"), "Cart Bcc: evil@example.com");
  EXPECT_EQ(sanitizeDeviceString("\x01\x02name\x7f"), "name");
  EXPECT_EQ(sanitizeDeviceString("a\xC2\x85"
                                 "b"),
            "a b");  // NEL, a C1 control
}

TEST(SanitizeTest, RemovesEscAndEmbeddedNul) {
  using namespace std::string_view_literals;
  EXPECT_EQ(sanitizeDeviceString("\x1b[31mred\x1b[0m"sv), "[31mred [0m");
  EXPECT_EQ(sanitizeDeviceString("Cart\0Bcc"sv), "Cart Bcc");
}

// Bidi embeddings/overrides/isolates and invisible format characters would let a device name
// reorder or hide what an admin reads in status, metrics and mail.
TEST(SanitizeTest, RemovesBidiControlsAndInvisibleFormatCharacters) {
  const char* const kHidden[] = {
      "\u202A", "\u202B", "\u202C", "\u202D",     "\u202E",  // embeddings, overrides, PDF
      "\u2066", "\u2067", "\u2068", "\u2069",                // isolates
      "\u200B", "\u200E", "\u200F", "\u061C",                // ZWSP, LRM, RLM, ALM
      "\uFEFF", "\u2060", "\u00AD", "\U000E0041",            // BOM, word joiner, soft hyphen, tag
  };
  for (std::size_t i = 0; i < std::size(kHidden); ++i) {
    const std::string raw = std::string("iPad") + kHidden[i] + "Cart" + kHidden[i];
    EXPECT_EQ(sanitizeDeviceString(raw), "iPadCart") << "kHidden[" << i << "]";
  }
  EXPECT_EQ(sanitizeDeviceString("\u202Eexe.gpj\u202C"), "exe.gpj");
  // Not format characters in the dangerous sense: emoji sequences need ZWJ, and ZWNJ shapes text.
  EXPECT_EQ(sanitizeDeviceString("\U0001F469\u200D\U0001F4BB"), "\U0001F469\u200D\U0001F4BB");
  EXPECT_EQ(sanitizeDeviceString("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"),
            "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645");
}

TEST(SanitizeTest, ReplacesInvalidUtf8) {
  const auto out = sanitizeDeviceString("bad\xff\xfe name \xC0\xAF");
  EXPECT_TRUE(isValidUtf8(out));
  EXPECT_EQ(out, "bad\xEF\xBF\xBD\xEF\xBF\xBD name \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SanitizeTest, CapsLengthWithoutSplittingCharacters) {
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "é";
  const auto out = sanitizeDeviceString(huge, 255);
  EXPECT_LE(out.size(), 255u);
  EXPECT_TRUE(isValidUtf8(out));
  EXPECT_EQ(out.size(), 254u);
}

TEST(SanitizeTest, ValidatesUtf8) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace ibackupmon

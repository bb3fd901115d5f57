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

// SPDX-License-Identifier: Apache-2.0
#include "core/base64.h"

#include <gtest/gtest.h>

namespace ibackupmon {
namespace {

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64Test, DecodesWhatItEncodes) {
  for (const std::string s : {"", "f", "fo", "foo", "user:pass:word", "\xc3\xa9t\xc3\xa9"}) {
    EXPECT_EQ(base64Decode(base64Encode(s)), s) << s;
  }
  EXPECT_EQ(base64Decode("Zm9vYg"), "foob");  // padding may be left out
}

TEST(Base64Test, RefusesCharactersOutsideTheAlphabet) {
  for (const char* bad : {"Zm9v YmFy", "Zm9v\n", "Zm=9v", "Zm9v-_", "%%%%"}) {
    EXPECT_EQ(base64Decode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ibackupmon

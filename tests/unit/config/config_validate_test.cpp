// SPDX-License-Identifier: Apache-2.0
#include "config/config_validate.h"

#include <gtest/gtest.h>

#include "config/config_schema.h"

namespace ibackupmon {
namespace {

TEST(ConfigValidate, ListenAddress) {
  for (const char* ok : {"0.0.0.0:9847", "127.0.0.1:0", "[::1]:9847", "[::]:65535"}) {
    EXPECT_FALSE(checkListenAddress(ok)) << ok;
  }
  for (const char* bad : {"", ":9847", "9847", "host:1", "1.2.3.4:-1", "1.2.3.4:123456", "[::1]",
                          "[::1]:", "::1:80", "1.2.3.4:80 "}) {
    EXPECT_TRUE(checkListenAddress(bad)) << bad;
  }
}

TEST(ConfigValidate, Urls) {
  EXPECT_FALSE(checkUrl("https://x", "http,https"));
  EXPECT_FALSE(checkUrl("smtps://mail:465", "smtp,smtps"));
  EXPECT_TRUE(checkUrl("https://", "http,https"));
  EXPECT_TRUE(checkUrl("ftp://x", "http,https"));
  EXPECT_TRUE(checkUrl("http://a b", "http,https"));
}

TEST(ConfigValidate, EmailAddresses) {
  EXPECT_FALSE(checkEmailAddress("admin@example.com"));
  EXPECT_FALSE(checkEmailAddress("ibackupmon@localhost"));
  for (const char* bad : {"", "admin", "@x", "x@", "a@b@c", "a b@c", "a@b\r\nBcc: e@f", "<a@b>"}) {
    EXPECT_TRUE(checkEmailAddress(bad)) << bad;
  }
}

TEST(ConfigValidate, VersionsAndUdids) {
  EXPECT_FALSE(checkVersion("17"));
  EXPECT_FALSE(checkVersion("16.7.2"));
  EXPECT_TRUE(checkVersion("16.7.2.1"));
  EXPECT_TRUE(checkVersion("17."));
  EXPECT_TRUE(checkVersion("v17"));
  EXPECT_FALSE(checkUdid("00008030-001A2C3E0E38802E"));
  EXPECT_TRUE(checkUdid(""));
  EXPECT_TRUE(checkUdid("../etc"));
  EXPECT_TRUE(checkUdid(std::string(65, 'a')));
}

TEST(ConfigValidate, ByteSizes) {
  EXPECT_EQ(parseByteSize("2GiB"), 2ull << 30);
  EXPECT_EQ(parseByteSize("1kB"), 1000u);
  EXPECT_EQ(parseByteSize("7"), 7u);
  EXPECT_EQ(parseByteSize("7B"), 7u);
  EXPECT_FALSE(parseByteSize(""));
  EXPECT_FALSE(parseByteSize("GiB"));
  EXPECT_FALSE(parseByteSize("1.5GB"));
  EXPECT_FALSE(parseByteSize("99999999999TiB"));
  EXPECT_FALSE(parseByteSize("99999999999999999999"));
  for (std::uint64_t v : {0ull, 1ull, 1023ull, 1024ull, 5ull << 20, 2ull << 30, 3ull << 40}) {
    EXPECT_EQ(parseByteSize(formatByteSize(v)), v) << formatByteSize(v);
  }
}

TEST(ConfigValidate, ClosestMatch) {
  const std::vector<std::string_view> keys = {"interval", "timeout", "include", "exclude"};
  EXPECT_EQ(closestMatch("intervall", keys), "interval");
  EXPECT_EQ(closestMatch("Timeuot", keys), "timeout");
  EXPECT_EQ(closestMatch("x", keys), "");
  EXPECT_EQ(closestMatch("bananas", keys), "");
}

}  // namespace
}  // namespace ibackupmon

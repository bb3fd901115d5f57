#include "device/plist_parse.h"

#include <gtest/gtest.h>

#include "core/sanitize.h"
#include "device/device_session.h"
#include "device/lockdown_errors.h"

namespace ibackupmon {
namespace {

std::string xml(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">" + body + "</plist>";
}

TEST(PlistParse, ConvertsEveryType) {
  auto v = parsePlistDict(
      xml("<dict><key>b</key><true/><key>i</key><integer>-3</integer><key>r</key><real>1.5</real>"
          "<key>s</key><string>x</string><key>d</key><date>2001-01-01T00:01:00Z</date>"
          "<key>data</key><data>AAE=</data><key>a</key><array><integer>1</integer></array>"
          "<key>n</key><dict/></dict>"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at("b"), PlistValue(true));
  EXPECT_EQ(v->at("i"), PlistValue(-3));
  EXPECT_EQ(v->at("r"), PlistValue(1.5));
  EXPECT_EQ(v->at("s"), PlistValue("x"));
  EXPECT_EQ(v->at("d"), PlistValue(PlistDate{60}));
  EXPECT_EQ(v->at("data"), PlistValue(PlistData{std::string("\0\1", 2)}));
  EXPECT_EQ(v->at("a"), PlistValue(PlistArray{PlistValue(1)}));
  EXPECT_EQ(v->at("n"), PlistValue(PlistDict{}));
  EXPECT_STREQ(plistTypeName(v->at("d")), "date");
}

TEST(PlistParse, SanitisesStringsAndKeys) {
  auto v =
      parsePlistDict(xml("<dict><key>K&#10;ey</key><string>a&#13;&#10;Bcc: x@y</string></dict>"));
  ASSERT_TRUE(v);
  const std::string key = sanitizeDeviceString("K\ney");
  ASSERT_EQ(v->count(key), 1u);
  const auto* value = v->at(key).get<std::string>();
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, sanitizeDeviceString("a\r\nBcc: x@y"));
  EXPECT_EQ(value->find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(key.find('\n'), std::string::npos);
}

TEST(PlistParse, CapsMegabyteStrings) {
  auto v = parsePlistDict(
      xml("<dict><key>k</key><string>" + std::string(2 << 20, 'A') + "</string></dict>"));
  ASSERT_TRUE(v);
  EXPECT_LE(v->at("k").get<std::string>()->size(), 256u);
}

TEST(PlistParse, GarbageIsAClearError) {
  auto v = parsePlist("this is not a plist");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "plist_invalid");
  auto root = parsePlistDict(xml("<array/>"));
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().message, "root of the property list is a array, expected a dict");
}

TEST(PlistParse, DeepNestingIsTruncatedNotACrash) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "<array>";
  for (int i = 0; i < 200; ++i) body += "</array>";
  auto v = parsePlist(xml(body));
  if (!v) return;  // libplist may refuse it itself; either way no crash
  int depth = 0;
  const PlistValue* p = &*v;
  while (const auto* a = p->get<PlistArray>()) {
    ++depth;
    if (a->empty()) break;
    p = &a->front();
  }
  EXPECT_LE(depth, 34);
}

TEST(LockdownErrors, MapsTheFactsTable) {
  EXPECT_STREQ(lockdownErrorId(-17), "passcode_locked");
  EXPECT_STREQ(lockdownErrorId(-19), "trust_pending");
  EXPECT_STREQ(lockdownErrorId(-18), "trust_denied");
  EXPECT_STREQ(lockdownErrorId(-21), "not_paired");
  EXPECT_STREQ(lockdownErrorId(-29), "not_paired");
  EXPECT_STREQ(lockdownErrorId(-2), "not_paired");
  EXPECT_STREQ(lockdownErrorId(-13), "get_prohibited");
  EXPECT_STREQ(lockdownErrorId(-7), "retry");
  EXPECT_STREQ(lockdownErrorId(-8), "retry");
  EXPECT_STREQ(lockdownErrorId(-256), "protocol_error");
  EXPECT_EQ(trustFromError("passcode_locked"), TrustState::PasscodeLocked);
  EXPECT_EQ(trustFromError("retry"), TrustState::Unknown);
  const Error e = lockdownError(-17, "StartSession", "U1");
  EXPECT_EQ(e.message, "StartSession on U1 failed: lockdownd error -17");
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "device/plist_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/sanitize.h"
#include "device/device_session.h"
#include "device/ioregistry.h"
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

// A binary plist {DeviceName: <UTF-16 string>} with the given UTF-16 code units.
std::string binaryPlistWithUtf16Name(const std::vector<char16_t>& units) {
  std::string b = "bplist00";
  std::vector<std::size_t> offsets;
  offsets.push_back(b.size());
  b += "\xD1\x01\x02";  // dict of one pair: key object 1, value object 2
  offsets.push_back(b.size());
  b += "\x5A"
       "DeviceName";  // ASCII string of 10 bytes
  offsets.push_back(b.size());
  b += static_cast<char>(0x60 | units.size());  // UTF-16 string, fewer than 15 units
  for (char16_t u : units) {
    b += static_cast<char>(u >> 8);
    b += static_cast<char>(u & 0xff);
  }
  const std::size_t table = b.size();
  for (std::size_t off : offsets) b += static_cast<char>(off);
  std::string trailer(32, '\0');
  trailer[6] = 1;                                   // offset size
  trailer[7] = 1;                                   // object reference size
  trailer[15] = static_cast<char>(offsets.size());  // object count
  trailer[31] = static_cast<char>(table);           // offset table position
  return b + trailer;
}

// libplist 2.2 aborts in plist_get_string_val on a string holding U+0000, which a binary plist
// from a hostile device can carry: the daemon reads it up to the NUL, sanitised, and lives.
TEST(PlistParse, BinaryStringWithNulEscAndBidiIsSanitisedNotFatal) {
  auto v = parsePlistDict(binaryPlistWithUtf16Name(
      {u'C', u'a', u'r', u't', 0x001B, u'x', 0x202E, u'g', u'p', u'j', 0x00E9, 0x0000, u'B'}));
  ASSERT_TRUE(v) << v.error().message;
  const auto* name = v->at("DeviceName").get<std::string>();
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(*name, "Cart xgpj\xC3\xA9");
}

// U+0000 in a dict KEY instead: libplist 2.2's plist_get_key_val asserts on it, which ended the
// process (found by fuzz_device_reply; its seed tests/fuzz/corpus/device_reply/
// crash-utf16-key-nul.bplist). The key is read up to its NUL, the rest of the dict as it is.
TEST(PlistParse, BinaryKeyWithNulIsReadUpToTheNul) {
  static const char kKeyWithNul[] =  // {"Battery": 5, "\u00e9\u0000b": "x"}
      "\x62\x70\x6c\x69\x73\x74\x30\x30\xd2\x01\x02\x03\x04\x57\x42\x61\x74\x74\x65\x72"
      "\x79\x63\x00\xe9\x00\x00\x00\x62\x10\x05\x51\x78\x08\x0d\x15\x1c\x1e\x00\x00\x00"
      "\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x20";
  const std::string_view bytes(kKeyWithNul, sizeof kKeyWithNul - 1);
  auto v = parsePlistDict(bytes);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_EQ(v->size(), 2u);
  const auto* battery = v->at("Battery").get<std::int64_t>();
  ASSERT_NE(battery, nullptr);
  EXPECT_EQ(*battery, 5);
  const auto* x = v->at("\xC3\xA9").get<std::string>();
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(*x, "x");
}

// A binary plist may carry a NaN or infinite real (found by fuzz_plist_tree; its seed
// tests/fuzz/corpus/plist_tree/nan_real_in_dict.bplist). The tree keeps it as a real, the same
// through parsePlist and parsePlistDict; every reader of a real checks its range.
TEST(PlistParse, NonFiniteRealsStayRealsInBothParsers) {
  static const char kNanAndInf[] =  // {"n": NaN, "i": -inf}
      "bplist00\xd2\x01\x02\x03\x04\x51n\x51i\x23\x7f\xf8\x00\x00\x00\x00\x00\x00"
      "\x23\xff\xf0\x00\x00\x00\x00\x00\x00\x08\x0d\x0f\x11\x1a\x00\x00\x00\x00\x00"
      "\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x23";
  const std::string_view bytes(kNanAndInf, sizeof kNanAndInf - 1);
  auto tree = parsePlist(bytes);
  auto dict = parsePlistDict(bytes);
  ASSERT_TRUE(tree) << tree.error().message;
  ASSERT_TRUE(dict) << dict.error().message;
  const PlistDict* fromTree = tree->get<PlistDict>();
  for (const PlistDict* d : {fromTree, static_cast<const PlistDict*>(&*dict)}) {
    ASSERT_NE(d, nullptr);
    ASSERT_EQ(d->size(), 2u);
    const auto* n = d->at("n").get<double>();
    const auto* i = d->at("i").get<double>();
    ASSERT_NE(n, nullptr);
    ASSERT_NE(i, nullptr);
    EXPECT_TRUE(std::isnan(*n));
    EXPECT_TRUE(std::isinf(*i) && *i < 0);
  }
}

TEST(PlistParse, KeysKeepMarkupAndUnicode) {
  auto v =
      parsePlistDict(xml("<dict><key>a&lt;b&gt;&amp;c&amp;amp;</key><integer>1</integer>"
                         "<key>Ger\xC3\xA4t &#x1F600;</key><integer>2</integer>"
                         "<key></key><integer>3</integer></dict>"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->size(), 3u);
  EXPECT_TRUE(v->count("a<b>&c&amp;"));
  EXPECT_TRUE(v->count(""));
  EXPECT_TRUE(v->count("Ger\xC3\xA4t \xF0\x9F\x98\x80"));
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

namespace ibackupmon {
namespace {

TEST(IoregistryEntry, TakesTheIoregistryDictOfAReply) {
  PlistDict entry{{"IOLinkStatus", 3}, {"BSD Name", "en0"}};
  auto found = ioregistryEntryOf(PlistDict{{"IORegistry", entry}, {"Status", "Success"}});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, entry);
}

TEST(IoregistryEntry, NoEntryWhenTheReplyHasNoneOrTheWrongShape) {
  EXPECT_FALSE(ioregistryEntryOf(PlistDict{{"Status", "Success"}}).has_value());
  EXPECT_FALSE(ioregistryEntryOf(PlistDict{{"IORegistry", PlistDict{}}}).has_value());
  EXPECT_FALSE(ioregistryEntryOf(PlistDict{{"IORegistry", "en0"}}).has_value());
  EXPECT_FALSE(
      ioregistryEntryOf(PlistArray{PlistDict{{"IORegistry", PlistDict{{"a", 1}}}}}).has_value());
  EXPECT_FALSE(ioregistryEntryOf(PlistValue{}).has_value());
}

}  // namespace
}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "metrics/text_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/scrape_response.h"

namespace ibackupmon::metrics {
namespace {

std::string sampleLine(double v) {
  std::string out;
  TextWriter(out).sample("m", {}, v);
  return out;
}

TEST(TextWriter, EscapesLabelValuesAsTheFormatRequires) {
  std::string out;
  TextWriter(out).sample("ibackupmon_device_info", {{"name", "a\\b\"c\nd"}, {"udid", "U"}}, 1);
  EXPECT_EQ(out, "ibackupmon_device_info{name=\"a\\\\b\\\"c\\nd\",udid=\"U\"} 1\n");
}

// A device never read has no name, model or version: those labels are absent, never "".
TEST(TextWriter, LeavesOutLabelsWithEmptyValues) {
  std::string out;
  TextWriter(out).sample("ibackupmon_device_info",
                         {{"ios_version", ""}, {"name", ""}, {"serial", "S"}, {"udid", "U"}}, 1);
  EXPECT_EQ(out, "ibackupmon_device_info{serial=\"S\",udid=\"U\"} 1\n");
  out.clear();
  TextWriter(out).sample("m", {{"name", ""}}, 1);
  EXPECT_EQ(out, "m 1\n");
}

TEST(TextWriter, EscapesHelpButNotItsQuotes) {
  std::string out;
  TextWriter(out).family("m", "say \"hi\"\\\nbye", "gauge");
  EXPECT_EQ(out, "# HELP m say \"hi\"\\\\\\nbye\n# TYPE m gauge\n");
}

// The same digits as prometheus-cpp's serializer ("%.16g"), which this writer replaced.
TEST(TextWriter, WritesValuesAsPrintfG16) {
  for (double v : {0.0, 1.0, -3.0, 0.87, 1750000000.25, 128e9, 1e15, 1e20, 1.0 / 3, 5e-324}) {
    char expected[64];
    std::snprintf(expected, sizeof expected, "%.16g", v);
    EXPECT_EQ(sampleLine(v), "m " + std::string(expected) + "\n") << v;
  }
  EXPECT_EQ(sampleLine(std::numeric_limits<double>::quiet_NaN()), "m NaN\n");
  EXPECT_EQ(sampleLine(std::numeric_limits<double>::infinity()), "m +Inf\n");
  EXPECT_EQ(sampleLine(-std::numeric_limits<double>::infinity()), "m -Inf\n");
}

TEST(BasicAuthHeader, ParsesCredentialsAndRejectsTheRest) {
  // "prom:s3cret:pass" - a password may contain a colon.
  auto ok = parseBasicAuth("Basic cHJvbTpzM2NyZXQ6cGFzcw==");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->first, "prom");
  EXPECT_EQ(ok->second, "s3cret:pass");
  EXPECT_FALSE(parseBasicAuth("Bearer cHJvbTpzM2NyZXQ="));
  EXPECT_FALSE(parseBasicAuth("Basic !!!!"));
  EXPECT_FALSE(parseBasicAuth("Basic cHJvbQ=="));  // "prom": no colon
}

// RFC 7617: the scheme is case-insensitive; one or more spaces before the token.
TEST(BasicAuthHeader, SchemeInAnyCase) {
  for (const char* header : {"basic cHJvbTpzM2NyZXQ6cGFzcw==", "BASIC cHJvbTpzM2NyZXQ6cGFzcw==",
                             "bAsIc   cHJvbTpzM2NyZXQ6cGFzcw=="}) {
    const auto ok = parseBasicAuth(header);
    ASSERT_TRUE(ok) << header;
    EXPECT_EQ(ok->second, "s3cret:pass");
  }
  EXPECT_FALSE(parseBasicAuth("Basicx cHJvbTpzM2NyZXQ6cGFzcw=="));
  EXPECT_FALSE(parseBasicAuth("basic"));
}

}  // namespace
}  // namespace ibackupmon::metrics

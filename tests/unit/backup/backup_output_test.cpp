// SPDX-License-Identifier: Apache-2.0
#include "backup/backup_output.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sanitize.h"
#include "idevicebackup2_output.h"

namespace ibackupmon::backup {
namespace {

OutputState parseAll(std::string_view text) {
  OutputParser parser;
  parser.feed(text);
  parser.finish();
  return parser.state();
}

bool tailHas(const OutputState& s, const std::string& line) {
  for (const auto& l : s.tail)
    if (l == line) return true;
  return false;
}

TEST(OutputParserTest, FullBackupReportsSuccessAndOverallProgress) {
  const auto s = parseAll(fixtures::kFullBackupOutput);
  EXPECT_TRUE(s.reportedSuccess);
  EXPECT_FALSE(s.errorCode);
  EXPECT_EQ(s.errorMessage, "");
  ASSERT_TRUE(s.percent);
  EXPECT_EQ(*s.percent, 100);
  ASSERT_TRUE(s.transferPercent);
  EXPECT_EQ(*s.transferPercent, 0);  // the last batch: Status.plist, 185 bytes of 800 KB
  EXPECT_EQ(s.tail.back(), "Backup Successful.");
  EXPECT_TRUE(tailHas(s, "Received 8 files from device."));
  EXPECT_TRUE(tailHas(s, "Moving 2 files"));
  for (const auto& line : s.tail) EXPECT_FALSE(line.starts_with("[")) << line;
}

TEST(OutputParserTest, OverallProgressRisesThroughTheRun) {
  // Fed in 7-byte chunks, as a pipe may deliver it; every overall value is seen in order.
  const std::string text = fixtures::kIncrementalBackupOutput;
  OutputParser parser;
  std::vector<double> seen;
  for (std::size_t i = 0; i < text.size(); i += 7) {
    parser.feed(std::string_view(text).substr(i, 7));
    if (parser.state().percent && (seen.empty() || seen.back() != *parser.state().percent))
      seen.push_back(*parser.state().percent);
  }
  EXPECT_EQ(seen, (std::vector<double>{10, 92, 95, 97, 98, 99, 100}));
  EXPECT_TRUE(parser.state().reportedSuccess);
  EXPECT_TRUE(tailHas(parser.state(), "Incremental backup mode."));
  EXPECT_TRUE(tailHas(parser.state(), "Received 6 files from device."));
}

TEST(OutputParserTest, TextAfterAnUnendedBarIsItsOwnLine) {
  const auto s = parseAll("\r[==      ]   4% (175 Bytes/4.0 KB)     Receiving files\n");
  EXPECT_EQ(s.tail, (std::vector<std::string>{"Receiving files"}));
  EXPECT_EQ(s.transferPercent, 4);
  EXPECT_FALSE(s.percent);
}

TEST(OutputParserTest, ChunkingDoesNotChangeTheResult) {
  const std::string text = fixtures::kFullBackupOutput;
  const auto whole = parseAll(text);
  OutputParser bytewise;
  for (char c : text) bytewise.feed(std::string_view(&c, 1));
  bytewise.finish();
  EXPECT_EQ(bytewise.state().tail, whole.tail);
  EXPECT_EQ(bytewise.state().percent, whole.percent);
  EXPECT_EQ(bytewise.state().reportedSuccess, whole.reportedSuccess);
}

TEST(OutputParserTest, ErrorCodeLineGivesTheDevicesCode) {
  const auto s = parseAll(fixtures::kDeviceLockedOutput);
  ASSERT_TRUE(s.errorCode);
  EXPECT_EQ(*s.errorCode, 208);
  EXPECT_EQ(s.errorMessage, "Device locked (MBErrorDomain/208)");
  EXPECT_FALSE(s.reportedSuccess);
  EXPECT_FALSE(s.percent);
  EXPECT_EQ(s.tail.back(), "Backup Failed (Error Code 208).");
}

TEST(OutputParserTest, HostFullMidway) {
  const auto s = parseAll(fixtures::kHostFullOutput);
  EXPECT_EQ(s.errorCode, 105);
  EXPECT_EQ(s.errorMessage, "Insufficient free disk space on drive to back up (MBErrorDomain/105)");
  EXPECT_EQ(s.percent, 10);
  EXPECT_TRUE(tailHas(s, "Received 3 files from device."));
}

TEST(OutputParserTest, DetachHasNoErrorCodeButAnErrorLine) {
  const auto s = parseAll(fixtures::kDetachedOutput);
  EXPECT_FALSE(s.errorCode);
  EXPECT_EQ(s.errorMessage, "Could not receive from mobilebackup2 (-256)");
  EXPECT_FALSE(s.reportedSuccess);
  EXPECT_EQ(s.tail.back(), "Backup Aborted.");
}

TEST(OutputParserTest, LockdownRefusal) {
  const auto s = parseAll(fixtures::kPasscodeLockedOutput);
  EXPECT_FALSE(s.errorCode);
  EXPECT_EQ(s.errorMessage, "Could not connect to lockdownd, error code -17");
}

TEST(OutputParserTest, UnknownDescriptionAndNegativeCodes) {
  EXPECT_EQ(parseAll("ErrorCode 17: (Unknown)\n").errorCode, 17);
  // The tool prints the device's unsigned code through %d.
  EXPECT_EQ(parseAll("ErrorCode -1: x\n").errorCode, -1);
  EXPECT_FALSE(parseAll("ErrorCode 99999999999: x\n").errorCode);
  EXPECT_FALSE(parseAll("ErrorCode abc: x\n").errorCode);
  EXPECT_FALSE(parseAll("ErrorCode 5 x\n").errorCode);
}

TEST(OutputParserTest, ADescriptionCannotOverrideTheFirstErrorCode) {
  // A device's description with line breaks and a second "ErrorCode" in it.
  const auto s = parseAll(
      "ErrorCode 256: oops\nErrorCode 0: fine\nBackup Successful.\nBackup Failed (Error Code "
      "256).\n");
  EXPECT_EQ(s.errorCode, 256);
  EXPECT_EQ(s.errorMessage, "oops");
}

TEST(OutputParserTest, HostileBytesAreSanitisedAndBounded) {
  std::string hostile = "ErrorCode 208: \x1b[31mred\x1b[0m \xff\xfe bidi\xe2\x80\xae txt";
  hostile += std::string(1, '\0') + "nul\n";
  const auto s = parseAll(hostile);
  EXPECT_EQ(s.errorCode, 208);
  EXPECT_TRUE(isValidUtf8(s.errorMessage));
  for (char c : s.errorMessage)
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << s.errorMessage;
  EXPECT_EQ(s.errorMessage.find("\xe2\x80\xae"), std::string::npos);

  // A megabyte without a line end, then many lines: the tail stays 20 short lines.
  OutputParser parser;
  parser.feed(std::string(1 << 20, 'A'));
  parser.feed("\n");
  for (int i = 0; i < 1000; ++i) parser.feed("line " + std::to_string(i) + "\r\n");
  parser.feed(std::string(3000, '\x07'));
  parser.finish();
  const auto& st = parser.state();
  ASSERT_EQ(st.tail.size(), kTailLines);
  EXPECT_EQ(st.tail.back(), "line 999");
  for (const auto& line : st.tail) EXPECT_LE(line.size(), kMaxTailLineBytes);

  OutputParser longLine;
  longLine.feed(std::string(1 << 20, 'B'));
  longLine.finish();
  ASSERT_EQ(longLine.state().tail.size(), 1u);
  EXPECT_EQ(longLine.state().tail[0].size(), kMaxTailLineBytes);
}

TEST(OutputParserTest, MalformedBarsAreLines) {
  auto s = parseAll("[abc] 50% Finished\n");
  EXPECT_FALSE(s.percent);
  EXPECT_EQ(s.tail, (std::vector<std::string>{"[abc] 50% Finished"}));
  s = parseAll("[====]  250% Finished\n[==] nan% Finished\n");
  EXPECT_FALSE(s.percent);
  s = parseAll("[==  ]  42% Finished");  // no line end: finish() reads it
  EXPECT_EQ(s.percent, 42);
}

TEST(BackupArgumentsTest, FullAndIncremental) {
  EXPECT_EQ(backupArguments("00008110-0000BAC0000000A1", "/var/lib/b", false),
            (std::vector<std::string>{"-u", "00008110-0000BAC0000000A1", "backup", "/var/lib/b"}));
  EXPECT_EQ(backupArguments("U", "/d", true),
            (std::vector<std::string>{"-u", "U", "backup", "--full", "/d"}));
}

}  // namespace
}  // namespace ibackupmon::backup

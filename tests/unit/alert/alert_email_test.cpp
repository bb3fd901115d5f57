// SPDX-License-Identifier: Apache-2.0
#include "alert/alert_email.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "alert/mime.h"
#include "email_check.h"

namespace ibackupmon {
namespace {

using testing::parseWithPython;

DeviceStatus hostileDevice() {
  DeviceStatus d;
  d.udid = "00008030-001A2B3C4D5E6F70";
  d.name = "Cart 3\r\nBcc: victim@example.com\r\n\r\n<script>alert('x')</script> & \"quoted\"" +
           std::string(100 * 1024, 'A');
  d.productType = "iPad13,1\nX-Injected: yes";
  d.iosVersion = "17.5";
  d.serial = "F9FXXXX<b>";
  d.lastCloudBackup = fromUnixSeconds(1'700'000'000);
  d.backupState = BackupState::Stale;
  Condition c;
  c.id = "backup_stale";
  c.severity = Severity::Warning;
  c.since = fromUnixSeconds(1'700'100'000);
  c.summary = "No iCloud backup for 9d";
  c.evidence["DeviceName"] = "<img src=x onerror=alert(1)>";
  c.evidence["line"] = ".\r\n.\r\nMAIL FROM:<evil@example.com>";
  c.fix = "Join Wi-Fi, connect power, lock the device.";
  d.conditions.push_back(c);
  return d;
}

std::string hostileMessage(std::optional<DeviceSlot> slot = std::nullopt) {
  AlertEmailContent content;
  content.host = "host-a";
  content.now = fromUnixSeconds(1'700'900'000);
  content.dashboardUrl = "https://grafana.example/d/ibackupmon";
  AlertEmailDevice dev{hostileDevice(), {}, std::nullopt};
  dev.device.slot = std::move(slot);
  dev.notices.push_back(Notice{NoticeKind::Opened, AlertKey{dev.device.udid, "backup_stale"},
                               Severity::Warning, content.now});
  content.devices.push_back(dev);
  RenderedEmail e = renderAlertEmail(content);
  MailHeaders h{"ibackupmon <ibackupmon@host-a>",
                {"admin@example.com", "ops@example.com"},
                makeMessageId("host-a", content.now),
                content.now};
  return assembleMessage(h, e);
}

TEST(AlertEmailTest, HostileDeviceCannotAddHeaders) {
  auto j = parseWithPython(hostileMessage());
  std::vector<std::string> headers = j["headers"];
  EXPECT_EQ(headers, (std::vector<std::string>{"From", "To", "Subject", "Date", "Message-ID",
                                               "Auto-Submitted", "MIME-Version", "Content-Type"}));
  EXPECT_TRUE(j["defects"].empty()) << j["defects"].dump();
  std::string subject = j["subject"];
  EXPECT_NE(subject.find("Cart 3 Bcc: victim@example.com"), std::string::npos) << subject;
  EXPECT_LT(subject.size(), 200u);  // the 100 KB name is truncated
  EXPECT_LE(j["longest_line"].get<int>(), 78);
  EXPECT_FALSE(j["bare_lf"].get<bool>());
  EXPECT_EQ(j["dot_lines"].get<int>(), 0);
  EXPECT_EQ(j["content_type"], "multipart/alternative");
}

TEST(AlertEmailTest, HtmlIsEscaped) {
  auto j = parseWithPython(hostileMessage());
  std::string html = j["parts"]["text/html"];
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("F9FXXXX<b>"), std::string::npos);
  EXPECT_NE(html.find("F9FXXXX&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_LT(html.size(), 20'000u);
}

TEST(AlertEmailTest, TextBodyCarriesIdentityBackupsEvidenceAndFix) {
  auto j = parseWithPython(hostileMessage());
  std::string text = j["parts"]["text/plain"];
  for (const char* needle :
       {"Host: host-a", "UDID: 00008030-001A2B3C4D5E6F70", "Serial: F9FXXXX<b>",
        "Model: iPad13,1 X-Injected: yes (iOS 17.5)",
        "Last iCloud backup: 10d 10h ago (2023-11-14T22:13:20Z)",
        "Last computer backup: never seen", "evidence: line = . . MAIL FROM:<evil@example.com>",
        "fix: Join Wi-Fi", "var-udid=00008030-001A2B3C4D5E6F70", "NEW: backup_stale"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
  }
  EXPECT_EQ(text.find("\nBcc:"), std::string::npos);
  EXPECT_LT(text.size(), 5'000u);
}

TEST(AlertEmailTest, SaysWhichSlotTheDeviceSitsIn) {
  auto j = parseWithPython(hostileMessage(DeviceSlot{"1-2.3.4", "", "Cart <A> / 07", 12.0}));
  std::string text = j["parts"]["text/plain"];
  EXPECT_NE(text.find("Slot: Cart <A> / 07, port 1-2.3.4, link 12 Mbit/s"), std::string::npos)
      << text;
  std::string html = j["parts"]["text/html"];
  EXPECT_NE(html.find("Cart &lt;A&gt; / 07, port 1-2.3.4, link 12 Mbit/s"), std::string::npos);
  EXPECT_EQ(html.find("Cart <A>"), std::string::npos);
  auto unplaced = parseWithPython(hostileMessage(DeviceSlot{"3-1", "", std::nullopt, {}}));
  EXPECT_NE(std::string(unplaced["parts"]["text/plain"]).find("Slot: port 3-1, link unknown"),
            std::string::npos);
  EXPECT_EQ(std::string(parseWithPython(hostileMessage())["parts"]["text/plain"]).find("Slot:"),
            std::string::npos);  // a network or detached device has no slot
}

TEST(AlertEmailTest, GroupedSubjectCountsDevices) {
  AlertEmailContent content;
  content.host = "h";
  for (int i = 0; i < 10; ++i) {
    AlertEmailDevice d;
    d.device.udid = "u" + std::to_string(i);
    d.notices.push_back(Notice{NoticeKind::Opened, AlertKey{d.device.udid, "backup_stale"}});
    content.devices.push_back(d);
  }
  AlertEmailDevice acked;
  acked.device.udid = "quiet";
  acked.ack = AlertAck{"quiet", "", std::nullopt, {}, "in repair"};
  content.acknowledged.push_back(acked);
  RenderedEmail e = renderAlertEmail(content);
  EXPECT_EQ(e.subject, "[ibackupmon] h: 10 devices: 10 new");
  EXPECT_NE(
      e.text.find("Acknowledged (not re-alerting):\n  - quiet (quiet): all conditions - in repair"),
      std::string::npos)
      << e.text;
}

TEST(MimeTest, QuotedPrintableIsDotSafeAndShort) {
  std::string qp = quotedPrintable(".\n..leading\n" + std::string(200, '.') + "\nend \n");
  std::size_t start = 0;
  while (start < qp.size()) {
    std::size_t end = qp.find("\r\n", start);
    std::string line = qp.substr(start, end - start);
    EXPECT_NE(line.rfind('.', 0), 0u) << line;
    EXPECT_LE(line.size(), 76u);
    start = end + 2;
  }
  EXPECT_NE(qp.find("end=20\r\n"), std::string::npos);  // trailing space survives
}

TEST(MimeTest, EncodedSubjectIsFoldedAndStripped) {
  std::string h = encodeHeader("Subject", "caf\xC3\xA9\r\nBcc: x@y " + std::string(200, 'z'));
  EXPECT_EQ(h.rfind("Subject: =?UTF-8?B?", 0), 0u);
  EXPECT_EQ(h.find("\r\nBcc"), std::string::npos);
  std::size_t start = 0;
  while (start < h.size()) {
    std::size_t end = h.find("\r\n", start);
    if (end == std::string::npos) end = h.size();
    EXPECT_LE(end - start, 78u);
    if (start > 0) {
      EXPECT_EQ(h[start], ' ');  // every continuation line is folded
    }
    start = end + 2;
  }
}

TEST(MimeTest, TruncateKeepsUtf8Whole) {
  std::string s = truncateUtf8("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 6);
  EXPECT_EQ(s, "\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(truncateUtf8("short", 10), "short");
}

TEST(MimeTest, HtmlEscapeAndUrlEncode) {
  EXPECT_EQ(htmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(urlEncode("a b&c/é"), "a%20b%26c%2F%C3%A9");
  EXPECT_EQ(bareAddress("Admin <admin@example.com>\r\n"), "admin@example.com");
  EXPECT_EQ(rfc5322Date(fromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace ibackupmon

namespace ibackupmon {
namespace {

// 2023-11-14T22:13:20Z
constexpr std::int64_t kWedgedAt = 1'700'000'000;

AlertEmailContent wedgedHost(NoticeKind kind) {
  AlertEmailContent content;
  content.host = "cart1\r\nBcc: x@evil.test";
  content.now = fromUnixSeconds(kWedgedAt + 600);
  content.hostNotices.push_back(Notice{kind, AlertKey{"", kUsbmuxdWedgedCondition},
                                       Severity::Critical, fromUnixSeconds(kWedgedAt)});
  return content;
}

TEST(AlertEmailTest, WedgedUsbmuxdIsAHostLevelMailWithTheFix) {
  RenderedEmail e = renderAlertEmail(wedgedHost(NoticeKind::Opened));
  const std::string line =
      "usbmuxd on cart1 Bcc: x@evil.test accepts connections but answers nothing since 22:13 UTC "
      "(2023-11-14T22:13:20Z); devices cannot be read: `systemctl restart usbmuxd`";
  EXPECT_NE(e.text.find(line), std::string::npos) << e.text;
  EXPECT_NE(e.html.find(htmlEscape(line)), std::string::npos) << e.html;
  EXPECT_TRUE(e.subject.starts_with("[ibackupmon] cart1")) << e.subject;
  EXPECT_TRUE(e.subject.ends_with(": usbmuxd answers nothing")) << e.subject;
  EXPECT_EQ(e.subject.find_first_of("\r\n"), std::string::npos) << e.subject;
  EXPECT_EQ(e.text.find("UDID"), std::string::npos) << "no device block";
}

TEST(AlertEmailTest, WedgedUsbmuxdResolvedSaysItAnswersAgain) {
  RenderedEmail e = renderAlertEmail(wedgedHost(NoticeKind::Resolved));
  EXPECT_NE(e.subject.find("resolved: usbmuxd answers nothing"), std::string::npos) << e.subject;
  EXPECT_NE(e.text.find("answers again (it answered nothing from 22:13 UTC"), std::string::npos)
      << e.text;
}

TEST(AlertEmailTest, HostNoticeBesideDevicesKeepsBoth) {
  AlertEmailContent content = wedgedHost(NoticeKind::Opened);
  AlertEmailDevice dev{hostileDevice(), {}, std::nullopt};
  dev.notices.push_back(Notice{NoticeKind::Opened, AlertKey{dev.device.udid, "backup_stale"},
                               Severity::Warning, content.now});
  content.devices.push_back(dev);
  RenderedEmail e = renderAlertEmail(content);
  EXPECT_NE(e.subject.find("usbmuxd answers nothing; "), std::string::npos) << e.subject;
  EXPECT_LT(e.text.find("accepts connections"), e.text.find(dev.device.udid)) << "host first";
}

}  // namespace
}  // namespace ibackupmon

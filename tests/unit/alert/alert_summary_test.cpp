// SPDX-License-Identifier: Apache-2.0
// A grouped alert email an admin can act on in ten seconds: summary first, worst first; Apple's
// generic steps at most once; per device only its tailored fix and a notes line; HTML tables
// with inline styles. Parsed as a mail client would, by Python's email package.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "alert/alert_email.h"
#include "core/backup_steps.h"
#include "core/time_format.h"
#include "email_check.h"

namespace ibackupmon {
namespace {

nlohmann::json parseAsLf(const std::string& message) {
  auto j = testing::parseWithPython(message);
  // The parts come back with the CRLF line ends of the wire; compare lines as LF.
  for (auto& [type, body] : j["parts"].items()) {
    std::string text = body;
    for (auto at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at)) {
      text.erase(at, 1);
    }
    body = text;
  }
  return j;
}

const TimePoint kNow = *parseRfc3339("2026-11-24T12:00:00Z");

std::string nineSteps(const std::vector<int>& numbers) {
  std::string out;
  for (int n : numbers) {
    out += (out.empty() ? "" : "\n") + std::to_string(n) + ". " + icloudBackupSteps()[n - 1];
  }
  return out;
}

AlertEmailDevice device(const std::string& name, const std::string& id, Severity severity,
                        std::chrono::hours age, const std::string& fix,
                        std::optional<std::string> slot = std::nullopt) {
  AlertEmailDevice e;
  e.device.udid = "UDID-" + name;
  e.device.name = name;
  if (slot) e.device.slot = DeviceSlot{"1-1." + name.substr(name.size() - 1), "", slot, 480.0};
  Condition c;
  c.id = id;
  c.severity = severity;
  c.since = kNow - age;
  c.summary = id + " on " + name;
  c.fix = fix;
  e.device.conditions.push_back(c);
  e.notices.push_back(Notice{NoticeKind::Opened, AlertKey{e.device.udid, id}, severity, c.since});
  return e;
}

std::string mixedFleetMessage() {
  AlertEmailContent content;
  content.host = "cart-1";
  content.now = kNow;
  const std::string tailored =
      nineSteps({4, 5, 6, 7, 8}) +
      "\nLeft out: step 1 (iCloud Backup is on); step 2 (Wi-Fi seen associated); step 3 (on "
      "external power); step 9 (iOS is current).";
  // Warnings first in the input: the summary must still start with the critical devices.
  content.devices.push_back(device("iPad-w1", "battery_hot", Severity::Warning,
                                   std::chrono::hours(2), "Move the device out of direct sun.",
                                   "Cart A / 01"));
  content.devices.push_back(device("iPad-w2", "not_charging_on_power", Severity::Warning,
                                   std::chrono::hours(5), "Reseat or replace the cable.",
                                   "Cart A / 02"));
  content.devices.push_back(device("iPad-s1", "backup_stale", Severity::Warning,
                                   std::chrono::hours(40), nineSteps({1, 2, 3, 4, 5, 6, 7, 8, 9})));
  content.devices.push_back(device("iPad-c1", "backup_stale", Severity::Critical,
                                   std::chrono::hours(24 * 8), tailored, "Cart A / 04"));
  content.devices.push_back(device("iPad-c2", "backup_stale", Severity::Critical,
                                   std::chrono::hours(24 * 12), tailored, "Cart A / 05"));
  content.devices.push_back(device("iPad-s2", "stale_unexplained", Severity::Warning,
                                   std::chrono::hours(30), nineSteps({4, 5, 6, 2, 7, 8, 9})));
  content.devices.push_back(device("iPad-w3", "battery_worn", Severity::Warning,
                                   std::chrono::hours(1), "Plan a battery replacement."));
  content.devices[1].notes = {"restarted by ibackupmon at 2026-11-24T10:00:00Z: came back",
                              "local backup 2026-11-23"};
  MailHeaders h{"ibackupmon <ibackupmon@cart-1>", {"admin@example.com"}, "<m@cart-1>", kNow};
  return assembleMessage(h, renderAlertEmail(content));
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(AlertEmailSummary, StartsWithTheWorstFirstSummary) {
  auto j = parseAsLf(mixedFleetMessage());
  EXPECT_TRUE(j["defects"].empty()) << j["defects"].dump();
  const std::string text = j["parts"]["text/plain"];
  EXPECT_EQ(text.rfind("Summary, worst first:\n", 0), 0u) << text.substr(0, 300);
  const std::string summary = text.substr(0, text.find("\n\n"));
  // Critical first (oldest first), then warnings by since; one line per device.
  const char* order[] = {"iPad-c2", "iPad-c1", "iPad-s1", "iPad-s2",
                         "iPad-w2", "iPad-w1", "iPad-w3"};
  std::size_t at = 0;
  for (const char* name : order) {
    const auto found = summary.find(name, at);
    ASSERT_NE(found, std::string::npos) << name << " out of order in\n" << summary;
    at = found;
  }
  EXPECT_EQ(count(summary, "\n"), 7u) << summary;
  EXPECT_NE(summary.find("  critical | Cart A / 05 | iPad-c2 | since 2026-11-12T12:00:00Z | do "
                         "first: Apple's iCloud step 4: Free iCloud storage\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("warning | Cart A / 02 | iPad-w2 | since 2026-11-24T07:00:00Z | do "
                         "first: Reseat or replace the cable."),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("iPad-s1 | since 2026-11-22T20:00:00Z | do first: Apple's iCloud step 1: "
                         "Turn on iCloud Backup\n"),
            std::string::npos)
      << summary;
}

TEST(AlertEmailSummary, GenericStepsAtMostOncePerDeviceOnlyItsTailoredFix) {
  auto j = parseAsLf(mixedFleetMessage());
  const std::string text = j["parts"]["text/plain"];
  const std::string html = j["parts"]["text/html"];
  for (const auto& step : icloudBackupSteps()) {
    EXPECT_EQ(count(text, step), 1u) << step;
  }
  EXPECT_NE(text.find("fix: Apple's iCloud steps 4, 5, 6, 7, 8 (listed once below)\n"
                      "           Left out: step 1 (iCloud Backup is on)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fix: Apple's iCloud steps 4, 5, 6, 2, 7, 8, 9"), std::string::npos);
  EXPECT_NE(text.find("fix: Reseat or replace the cable."), std::string::npos);
  EXPECT_LT(text.find("Summary, worst first"), text.find("Apple's iCloud steps (referred"));
  EXPECT_LT(text.size(), 7'000u) << "seven devices in a few KB, not 14";
  EXPECT_LE(count(html, "Update iOS (Settings"), 1u);
}

TEST(AlertEmailSummary, NotesLineUnderTheDevice) {
  auto j = parseAsLf(mixedFleetMessage());
  const std::string text = j["parts"]["text/plain"];
  EXPECT_NE(text.find("Notes: restarted by ibackupmon at 2026-11-24T10:00:00Z: came back; local "
                      "backup 2026-11-23\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(count(text, "Notes: "), 1u);  // devices without notes have no line
}

TEST(AlertEmailSummary, HtmlHasTablesAndInlineStylesAndNothingExternal) {
  auto j = parseAsLf(mixedFleetMessage());
  const std::string html = j["parts"]["text/html"];
  EXPECT_LT(html.find("<table style=\""), html.find("<h3"));  // the summary table comes first
  EXPECT_NE(html.find("background:#b71c1c\">critical</td>"), std::string::npos);
  EXPECT_NE(html.find("<th align=\"left\" style=\"border:1px solid"), std::string::npos);
  EXPECT_NE(html.find("Notes</th><td style="), std::string::npos);
  for (const char* forbidden : {"<script", "<img", "<link", "<style", "src=", "@import"}) {
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  }
  EXPECT_NE(html.find("Apple&#39;s iCloud steps 4, 5, 6, 7, 8 (listed once below)<br>Left out"),
            std::string::npos);
}

TEST(AlertEmailSummary, HostileNotesAndSlotsStayEscaped) {
  AlertEmailContent content;
  content.host = "h";
  content.now = kNow;
  auto e = device("x1", "battery_hot", Severity::Warning, std::chrono::hours(1), "Move it.",
                  "<b>Slot</b>\r\nBcc: a@b");
  e.notes = {"<script>alert(1)</script>\r\nX-Injected: 1"};
  content.devices.push_back(e);
  MailHeaders h{"i <i@h>", {"a@example.com"}, "<m@h>", kNow};
  auto j = parseAsLf(assembleMessage(h, renderAlertEmail(content)));
  EXPECT_TRUE(j["defects"].empty());
  const std::string html = j["parts"]["text/html"];
  const std::string text = j["parts"]["text/plain"];
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>Slot"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(text.find("\nX-Injected"), std::string::npos);
  EXPECT_EQ(text.find("\nBcc:"), std::string::npos);
}

}  // namespace
}  // namespace ibackupmon

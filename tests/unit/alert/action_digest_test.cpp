// SPDX-License-Identifier: Apache-2.0
#include "alert/action_digest.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "core/local_time.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

TimePoint at(const char* rfc3339) {
  return *parseRfc3339(rfc3339);
}

ActionRecord record(RemediationAction a, ActionResult r, const std::string& outcome = "",
                    const std::string& reason = "") {
  ActionRecord x;
  x.udid = "00008030-000000000000001A";
  x.action = a;
  x.result = r;
  x.outcome = outcome;
  x.reason = reason;
  x.requestedAt = at("2026-12-06T10:42:00Z");
  return x;
}

// Sets TZ for one test and puts the previous value back.
class LocalZone {
 public:
  explicit LocalZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~LocalZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST(ActionNote, SaysWhatWasDoneWhenAndHowItEnded) {
  using enum ActionResult;
  EXPECT_EQ(actionNote(record(RemediationAction::EnableIcloudBackup, Done, "verified")),
            "ibackupmond turned iCloud Backup on at 10:42 UTC on 2026-12-06, verified");
  EXPECT_EQ(actionNote(record(RemediationAction::Restart, Done, "came_back")),
            "ibackupmond restarted the device at 10:42 UTC on 2026-12-06, it came back readable");
  EXPECT_EQ(actionNote(record(RemediationAction::Restart, Pending, "pending")),
            "ibackupmond restarted the device at 10:42 UTC on 2026-12-06, waiting for it to come "
            "back");
  EXPECT_EQ(actionNote(record(RemediationAction::Restart, Failed, "came_back_locked")),
            "ibackupmond tried to restart the device at 10:42 UTC on 2026-12-06, which failed, it "
            "came back locked: someone must unlock it");
  EXPECT_EQ(actionNote(record(RemediationAction::EnableIcloudBackup, Failed, "", "device_error")),
            "ibackupmond tried to turn iCloud Backup on at 10:42 UTC on 2026-12-06, which failed: "
            "the device refused the request");
  EXPECT_EQ(actionNote(record(RemediationAction::Restart, DryRun)),
            "ibackupmond would have restarted the device at 10:42 UTC on 2026-12-06 (dry run)");
  EXPECT_EQ(actionNote(record(RemediationAction::Restart, Interrupted)),
            "ibackupmond began to restart the device at 10:42 UTC on 2026-12-06; the daemon "
            "stopped before it ended");
  auto manual = record(RemediationAction::Restart, Done, "came_back");
  manual.trigger = ActionTrigger::Manual;
  manual.comment = "asked by\r\nroom 4";
  EXPECT_EQ(actionNote(manual),
            "ibackupmond restarted the device at 10:42 UTC on 2026-12-06 (asked for by an admin), "
            "it came back readable (\"asked by room 4\")");
}

TEST(NextLocalHour, IsTheNextSevenOClockInTheHostsZone) {
  LocalZone zone("UTC");
  EXPECT_EQ(nextLocalHour(at("2026-12-06T06:59:59Z"), 7), at("2026-12-06T07:00:00Z"));
  EXPECT_EQ(nextLocalHour(at("2026-12-06T07:00:00Z"), 7), at("2026-12-07T07:00:00Z"));
  EXPECT_EQ(nextLocalHour(at("2026-12-06T23:00:00Z"), 7), at("2026-12-07T07:00:00Z"));
}

TEST(NextLocalHour, FollowsDaylightSavingTime) {
  // Central Europe: UTC+1 in winter, UTC+2 from the last Sunday of March (2027-03-28).
  LocalZone zone("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_EQ(nextLocalHour(at("2027-03-27T12:00:00Z"), 7), at("2027-03-28T05:00:00Z"));
  EXPECT_EQ(nextLocalHour(at("2027-03-26T12:00:00Z"), 7), at("2027-03-27T06:00:00Z"));
}

TEST(ActionDigest, CountsListsAndGroupsSkips) {
  DigestContent c;
  c.host = "cart<1>";
  c.from = at("2026-12-06T07:00:00Z");
  c.to = at("2026-12-07T07:00:00Z");
  c.records.push_back(
      record(RemediationAction::EnableIcloudBackup, ActionResult::Done, "verified"));
  for (int i = 0; i < 3; ++i) {
    c.records.push_back(record(RemediationAction::Restart, ActionResult::Skipped, "", "passcode"));
  }
  DeviceStatus d;
  d.udid = c.records[0].udid;
  d.name = "<b>iPad\x1b[31m 17</b>";
  c.devices[d.udid] = d;
  const RenderedEmail e = renderActionDigest(c);
  EXPECT_EQ(e.subject, "[ibackupmon] cart<1>: what ibackupmon did, 1 action, 3 skipped");
  EXPECT_NE(e.text.find("enable_icloud_backup: 1 done\n"), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("restart: 3 skipped\n"), std::string::npos);
  EXPECT_NE(e.text.find("restart: 3 x the device has or may have a passcode"), std::string::npos);
  EXPECT_EQ(e.text.find('\x1b'), std::string::npos);
  EXPECT_NE(e.text.find("<b>iPad[31m 17</b> (00008030-000000000000001A): ibackupmond turned"),
            std::string::npos)
      << e.text;
  EXPECT_EQ(e.html.find("<b>iPad"), std::string::npos);
  EXPECT_NE(e.html.find("&lt;b&gt;iPad"), std::string::npos);
  EXPECT_NE(e.html.find("cart&lt;1&gt;"), std::string::npos);
}

TEST(ActionDigest, ListsAtMostTwoHundredActions) {
  DigestContent c;
  c.host = "cart";
  for (int i = 0; i < 250; ++i) {
    c.records.push_back(record(RemediationAction::Restart, ActionResult::DryRun));
  }
  const RenderedEmail e = renderActionDigest(c);
  EXPECT_NE(e.text.find("... and 50 more"), std::string::npos);
  EXPECT_NE(e.text.find("restart: 250 dry_run"), std::string::npos);
  EXPECT_NE(e.subject.find("250 actions"), std::string::npos);
}

}  // namespace
}  // namespace ibackupmon

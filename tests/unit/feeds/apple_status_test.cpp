// SPDX-License-Identifier: Apache-2.0
#include "alert/apple_status.h"

#include <gtest/gtest.h>

#include "feed_fixtures.h"

namespace ibackupmon {
namespace {

using testing::fixtureNow;
using testing::readFeedFixture;
using testing::watchedServices;

AppleStatusReport parseOk(const std::string& body, TimePoint now = fixtureNow()) {
  auto r = parseAppleStatus(body, watchedServices(), now);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : AppleStatusReport{};
}

TEST(AppleStatusTest, CurrentFeedFindsOnlyTheOngoingEventOfWatchedServices) {
  const auto report = parseOk(readFeedFixture("apple_status_current.json"));
  EXPECT_TRUE(report.complete());
  ASSERT_EQ(report.services.size(), 4u);
  EXPECT_EQ(report.services[0].name, "iCloud Backup");  // config order, not feed order
  ASSERT_EQ(report.services[0].activeEvents.size(), 1u);
  const auto& e = report.services[0].activeEvents[0];
  EXPECT_EQ(e.statusType, "Outage");
  EXPECT_EQ(e.eventStatus, "ongoing");
  EXPECT_EQ(e.messageId, "1000012345");
  EXPECT_EQ(e.usersAffected, "Some users are affected");
  EXPECT_NE(e.message.find("unable to back up"), std::string::npos);
  ASSERT_TRUE(e.start.has_value());
  EXPECT_EQ(toUnixSeconds(*e.start), 1716400020);  // epochs are milliseconds
  EXPECT_FALSE(e.end.has_value());
  // Resolved (iCloud Account) and upcoming (Storage Upgrades) events are not active.
  EXPECT_TRUE(report.find("iCloud Account & Sign In")->activeEvents.empty());
  EXPECT_TRUE(report.find("iCloud Storage Upgrades")->activeEvents.empty());
  EXPECT_TRUE(report.find("Apple ID")->activeEvents.empty());
  EXPECT_EQ(report.find("App Store"), nullptr);  // not watched: its outage is ignored
  EXPECT_EQ(report.fetchedAt, fixtureNow());
}

TEST(AppleStatusTest, JsonpWrapperIsStrippedAndGivesTheSameReport) {
  const auto bare = parseOk(readFeedFixture("apple_status_current.json"));
  const auto jsonp = parseOk(readFeedFixture("apple_status_jsonp.js"));
  ASSERT_EQ(jsonp.services.size(), bare.services.size());
  ASSERT_EQ(jsonp.services[0].activeEvents.size(), 1u);
  EXPECT_EQ(jsonp.services[0].activeEvents[0].messageId, "1000012345");
}

TEST(AppleStatusTest, BackupAffectingEventsListsICloudBackupAndAccountOnly) {
  const auto report = parseOk(readFeedFixture("apple_status_current.json"));
  const auto events = backupAffectingEvents(report);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "iCloud Backup");
}

TEST(AppleStatusTest, WithoutEventStatusStartedAndNotEndedIsActive) {
  const auto report = parseOk(readFeedFixture("apple_status_no_event_status.json"));
  const auto* backup = report.find("iCloud Backup");
  ASSERT_NE(backup, nullptr);
  ASSERT_EQ(backup->activeEvents.size(), 1u);  // the ended one is not
  EXPECT_EQ(backup->activeEvents[0].messageId, "2001");
  EXPECT_EQ(backup->activeEvents[0].eventStatus, "");
  EXPECT_TRUE(report.find("iCloud Account & Sign In")->activeEvents.empty());  // not started
  ASSERT_EQ(report.find("iCloud Storage Upgrades")->activeEvents.size(), 1u);  // ends later
  // 28 hours later both the "ends later" event and the future one (a 2 h window) have ended.
  const auto later = parseOk(readFeedFixture("apple_status_no_event_status.json"),
                             fixtureNow() + std::chrono::hours(28));
  EXPECT_TRUE(later.find("iCloud Storage Upgrades")->activeEvents.empty());
  EXPECT_TRUE(later.find("iCloud Account & Sign In")->activeEvents.empty());
  const auto during = parseOk(readFeedFixture("apple_status_no_event_status.json"),
                              fixtureNow() + std::chrono::hours(22));
  EXPECT_EQ(during.find("iCloud Account & Sign In")->activeEvents.size(), 1u);
}

TEST(AppleStatusTest, EventStatusWinsOverEpochs) {
  const std::string body = R"({"services":[{"serviceName":"iCloud Backup","events":[
    {"eventStatus":"resolved","epochStartDate":1716400020000,"epochEndDate":null,"messageId":"a"},
    {"eventStatus":"Ongoing","epochStartDate":1716300000000,"epochEndDate":1716310000000,"messageId":"b"}]},
    {"serviceName":"iCloud Account &amp; Sign In","events":[]},
    {"serviceName":"iCloud Storage Upgrades","events":[]},{"serviceName":"Apple ID"}]})";
  const auto report = parseOk(body);
  ASSERT_EQ(report.find("iCloud Backup")->activeEvents.size(), 1u);
  EXPECT_EQ(report.find("iCloud Backup")->activeEvents[0].messageId, "b");
}

TEST(AppleStatusTest, MissingWatchedServiceIsListedNotSilentlyGreen) {
  const auto report = parseOk(readFeedFixture("apple_status_missing_service.json"));
  EXPECT_FALSE(report.complete());
  ASSERT_EQ(report.missingServices.size(), 1u);
  EXPECT_EQ(report.missingServices[0], "iCloud Backup");
  EXPECT_EQ(report.find("iCloud Backup"), nullptr);
  EXPECT_EQ(report.services.size(), 3u);
}

TEST(AppleStatusTest, HtmlErrorPageIsAnErrorQuotingItsTitle) {
  const auto r = parseAppleStatus(readFeedFixture("apple_status_error_page.html"),
                                  watchedServices(), fixtureNow());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "apple_status_html");
  EXPECT_NE(r.error().message.find("Apple - Page Not Found"), std::string::npos)
      << r.error().message;
}

TEST(AppleStatusTest, OldFormatIsRecognisedAndRefused) {
  const auto r = parseAppleStatus(readFeedFixture("apple_status_old_format.json"),
                                  watchedServices(), fixtureNow());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "apple_status_old_format");
}

struct BadBody {
  const char* body;
  const char* code;
  const char* mentions;
};

class AppleStatusBadInputTest : public ::testing::TestWithParam<BadBody> {};

TEST_P(AppleStatusBadInputTest, GivesAClearError) {
  const auto r = parseAppleStatus(GetParam().body, watchedServices(), fixtureNow());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, GetParam().code) << r.error().message;
  EXPECT_NE(r.error().message.find(GetParam().mentions), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AppleStatusBadInputTest,
    ::testing::Values(
        BadBody{"", "apple_status_json", "empty"}, BadBody{"   \n", "apple_status_json", "empty"},
        BadBody{"Service Unavailable", "apple_status_json", "neither JSON nor JSONP"},
        BadBody{"jsonCallback({\"services\": [", "apple_status_json", "neither JSON nor JSONP"},
        BadBody{"jsonCallback({\"services\": [});", "apple_status_json", "malformed JSON"},
        BadBody{"[1,2]", "apple_status_shape", "top level"},
        BadBody{"{\"status\":\"ok\"}", "apple_status_shape", "keys: status"},
        BadBody{"{\"services\":{}}", "apple_status_shape", "services"},
        BadBody{"{\"services\":[42]}", "apple_status_shape", "services[0]"},
        BadBody{R"({"services":[{"serviceName":"iCloud Backup","events":{}}]})",
                "apple_status_shape", "services[0] (iCloud Backup).events"},
        BadBody{
            R"({"services":[{"serviceName":"iCloud Backup","events":[{"epochStartDate":"x"}]}]})",
            "apple_status_shape", "events[0].epochStartDate"},
        BadBody{R"({"services":[{"serviceName":"iCloud Backup","events":[{"message":"?"}]}]})",
                "apple_status_shape", "cannot tell whether it is ongoing"},
        BadBody{
            R"({"services":[{"serviceName":"iCloud Backup","events":[{"epochStartDate":-5}]}]})",
            "apple_status_shape", "milliseconds"},
        BadBody{"{\"services\":[{\"serviceName\":\"iCloud \xff Backup\"}]}", "apple_status_json",
                "UTF-8"}));

TEST(AppleStatusTest, HtmlEscapedAndOddlySpacedNamesMatch) {
  const std::string body = R"({"services":[
    {"serviceName":"iCloud Account &amp;  Sign&nbsp;In","events":[{"eventStatus":"ongoing",
      "statusType":"Issue","message":"Sign in &amp; verify &lt;b&gt;slow&lt;/b&gt;\r\nBcc: x"}]},
    {"serviceName":"ICLOUD BACKUP","events":[]},{"serviceName":"iCloud Storage Upgrades"},
    {"serviceName":"Apple&#32;ID","events":[]}]})";
  const auto report = parseOk(body);
  EXPECT_TRUE(report.complete()) << report.missingServices.size();
  const auto* account = report.find("iCloud Account & Sign In");
  ASSERT_NE(account, nullptr);
  ASSERT_EQ(account->activeEvents.size(), 1u);
  // Entities decoded, control characters (CR/LF) removed: safe for logs and email headers.
  const std::string& m = account->activeEvents[0].message;
  EXPECT_EQ(m.rfind("Sign in & verify <b>slow</b>", 0), 0u) << m;
  EXPECT_EQ(m.find_first_of("\r\n"), std::string::npos) << m;
}

TEST(AppleStatusTest, OversizedInputIsRefusedBeforeParsing) {
  std::string huge = "{\"services\":[";
  huge.append(kMaxAppleStatusBytes, ' ');
  huge += "]}";
  const auto r = parseAppleStatus(huge, watchedServices(), fixtureNow());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "apple_status_too_large");
}

TEST(AppleStatusTest, LongMessagesAreCappedAndUtf8StaysValid) {
  std::string message(100000, 'x');
  const std::string body = R"({"services":[{"serviceName":"iCloud Backup","events":[)"
                           R"({"eventStatus":"ongoing","message":")" +
                           message + R"("}]}]})";
  const auto r = parseAppleStatus(body, {"iCloud Backup"}, fixtureNow());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_LE(r->services[0].activeEvents[0].message.size(), 4096u);
}

}  // namespace
}  // namespace ibackupmon

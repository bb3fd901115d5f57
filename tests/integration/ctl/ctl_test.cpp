// SPDX-License-Identifier: Apache-2.0
// Runs the real build/bin/ibackupmonctl against databases written through the Store API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

#include "core/sanitize.h"
#include "store/store.h"
#include "store_fixtures.h"
#include "support/child_process.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using nlohmann::json;
using testing::at;
using testing::condition;
using testing::ProcessResult;
using testing::status;

constexpr long long kT0 = 1'700'000'000;
const std::string kCtl = std::string(IBACKUPMON_BIN_DIR) + "/ibackupmonctl";

class CtlTest : public ::testing::Test {
 protected:
  void save(const std::vector<DeviceStatus>& fleet) {
    auto store = Store::open(db_, OpenMode::ReadWrite);
    ASSERT_TRUE(store) << store.error().message;
    for (const auto& s : fleet) ASSERT_TRUE((*store)->saveStatus(s));
  }
  ProcessResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), kCtl);
    return testing::runProcess(args);
  }
  DeviceStatus full(const std::string& udid) {
    auto s = status(udid, BackupState::Stale,
                    {condition("backup_stale", Severity::Critical, kT0),
                     condition("not_on_power", Severity::Warning, kT0 + 60)});
    s.label = "Cart 3 / 17";
    s.location = "Library";
    s.serial = "DMP123";
    s.lastCloudBackup = at(kT0 - 9 * 86400);
    s.storageAvailableBytes = 5ull << 30;
    s.storageCapacityBytes = 64ull << 30;
    return s;
  }
  testing::TempDir dir_;
  std::string db_ = dir_.file("ibackupmon.db");
};

TEST_F(CtlTest, OptionsMayStandBeforeOrAfterTheCommand) {
  save({full("00008030-AAAA000000000001")});
  auto a = ctl({"--db", db_, "status", "--json"});
  auto b = ctl({"status", "--db", db_, "--json"});
  auto c = ctl({"--json", "status", "--db=" + db_});
  auto d = ctl({"--db=" + db_, "--json", "status"});
  EXPECT_EQ(a.exitCode, 2) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, c.out);
  EXPECT_EQ(a.out, d.out);
  EXPECT_EQ(a.exitCode, b.exitCode);
  EXPECT_EQ(a.exitCode, c.exitCode);
  EXPECT_EQ(a.exitCode, d.exitCode);
  EXPECT_TRUE(a.err.empty()) << a.err;
}

TEST_F(CtlTest, BadArgumentsAreOneUsageLineAndExit64) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"status", "--db"}, "--db: expected a value"},
      {{"--db=", "status"}, "--db: expected a non-empty value"},
      {{"--bogus", "status"}, "--bogus: unknown option"},
      {{"status", "--json=1"}, "--json: expected no value"},
      {{"frobnicate", "--db", db_}, "frobnicate: unknown command"},
      {{"status", "--db", db_, "--config", db_}, "--db: cannot be combined with --config"},
      {{"status", "extra", "--db", db_}, "status takes 0 arguments, got 1"},
  };
  for (const auto& [args, message] : cases) {
    auto r = ctl(args);
    EXPECT_EQ(r.exitCode, 64) << message;
    EXPECT_EQ(r.err, "ibackupmonctl: " + message + "; try --help\n");
  }
}

TEST_F(CtlTest, HelpAndVersion) {
  auto h = ctl({"--help"});
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_TRUE(h.out.starts_with("Usage: ibackupmonctl [OPTIONS] COMMAND")) << h.out;
  EXPECT_EQ(ctl({"status", "-h"}).out, h.out) << "help wins over the command";
  auto v = ctl({"--version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_TRUE(v.out.starts_with("ibackupmonctl " IBACKUPMON_VERSION " (revision ")) << v.out;
}

TEST_F(CtlTest, StatusJsonHasTheDocumentedShape) {
  auto bare = status("00008030-BBBB000000000002", BackupState::Unknown);
  bare.batteryLevel.reset();
  bare.onPower.reset();
  bare.icloudBackupEnabled.reset();
  save({full("00008030-AAAA000000000001"), bare});
  auto r = ctl({"status", "--json", "--db", db_});
  auto j = json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  const auto& d = j[0];  // critical first
  EXPECT_EQ(d["udid"], "00008030-AAAA000000000001");
  EXPECT_EQ(d["name"], "iPad 00008030-AAAA000000000001");
  EXPECT_EQ(d["label"], "Cart 3 / 17");
  EXPECT_EQ(d["product_type"], "iPad13,1");
  EXPECT_EQ(d["ios_version"], "17.5.1");
  EXPECT_EQ(d["connected"], true);
  EXPECT_TRUE(std::regex_match(d["last_seen"].get<std::string>(), rfc3339));
  EXPECT_EQ(d["last_cloud_backup"], "2023-11-05T22:13:20Z");
  EXPECT_TRUE(d["last_computer_backup"].is_null());
  EXPECT_EQ(d["icloud_backup_enabled"], true);
  EXPECT_EQ(d["battery_level"], 55);
  EXPECT_EQ(d["on_power"], true);
  EXPECT_EQ(d["backup_state"], "stale");
  EXPECT_EQ(d["state"], "critical");
  EXPECT_EQ(d["storage_capacity_bytes"], 64ull << 30);
  ASSERT_EQ(d["conditions"].size(), 2u);
  const auto& c = d["conditions"][0];
  EXPECT_EQ(c["id"], "backup_stale");
  EXPECT_EQ(c["severity"], "critical");
  EXPECT_EQ(c["since"], "2023-11-14T22:13:20Z");
  EXPECT_TRUE(c["evidence"].is_object());
  EXPECT_EQ(c["evidence"]["key"], "value of backup_stale");
  EXPECT_EQ(c["fix"], "fix backup_stale");
  const auto& u = j[1];
  EXPECT_EQ(u["backup_state"], "unknown");
  EXPECT_TRUE(u["battery_level"].is_null());
  EXPECT_TRUE(u["on_power"].is_null());
  EXPECT_TRUE(u["icloud_backup_enabled"].is_null());
  EXPECT_TRUE(u["last_cloud_backup"].is_null());
  EXPECT_TRUE(u["conditions"].is_array());
}

TEST_F(CtlTest, StatusExitCodesFollowNagiosPrecedence) {
  auto ok = status("A-ok", BackupState::Ok);
  auto warn =
      status("B-warn", BackupState::Ok, {condition("not_on_power", Severity::Warning, kT0)});
  auto unknown = status("C-unknown", BackupState::Unknown);
  auto crit =
      status("D-crit", BackupState::Stale, {condition("backup_stale", Severity::Critical, kT0)});
  struct Case {
    std::vector<DeviceStatus> fleet;
    int code;
  } cases[] = {{{ok}, 0}, {{ok, warn}, 1}, {{warn, unknown}, 3}, {{unknown, crit, warn}, 2}};
  for (const auto& c : cases) {
    std::filesystem::remove(db_);
    std::filesystem::remove(db_ + "-wal");
    std::filesystem::remove(db_ + "-shm");
    save(c.fleet);
    auto r = ctl({"status", "--db", db_});
    EXPECT_EQ(r.exitCode, c.code) << r.out << r.err;
    EXPECT_NE(r.out.find(std::to_string(c.fleet.size()) + " devices"), std::string::npos) << r.out;
  }
}

TEST_F(CtlTest, ErrorsAreOneLineWithDocumentedExitCodes) {
  auto missing = ctl({"status", "--db", dir_.file("none.db")});
  EXPECT_EQ(missing.exitCode, 3) << "a Nagios check that cannot read its data is UNKNOWN";
  EXPECT_NE(missing.err.find("none.db"), std::string::npos);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);
  EXPECT_EQ(ctl({"device", "X", "--db", dir_.file("none.db")}).exitCode, 66);
  EXPECT_EQ(ctl({"status", "--bogus"}).exitCode, 64);
  EXPECT_EQ(ctl({"frobnicate", "--db", db_}).exitCode, 64);
  EXPECT_EQ(ctl({}).exitCode, 64);
  EXPECT_EQ(ctl({"status", "--db"}).exitCode, 64);
  EXPECT_EQ(ctl({"device", "--db", db_}).exitCode, 64) << "missing UDID";
  EXPECT_EQ(ctl({"export", "--db", db_, "--format", "xml"}).exitCode, 64);
  { std::ofstream(dir_.file("garbage.db")) << std::string(4096, 'g'); }
  auto garbage = ctl({"export", "--format", "json", "--db", dir_.file("garbage.db")});
  EXPECT_EQ(garbage.exitCode, 65);
  EXPECT_NE(garbage.err.find("garbage.db"), std::string::npos);
  EXPECT_EQ(ctl({"status", "--db", dir_.file("garbage.db")}).exitCode, 3);
  save({});
  auto empty = ctl({"status", "--db", db_});
  EXPECT_EQ(empty.exitCode, 3) << "no devices is not 'all ok'";
}

TEST_F(CtlTest, ConfigFileNamesTheDatabase) {
  save({status("A-ok", BackupState::Ok)});
  std::string cfg = dir_.file("ibackupmon.toml");
  { std::ofstream(cfg) << "[storage]\npath = \"" << db_ << "\"\n"; }
  auto r = ctl({"status", "--config", cfg, "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).size(), 1u);
  { std::ofstream(cfg) << "[storage]\npaht = 1\n"; }
  auto bad = ctl({"device", "A-ok", "--config", cfg});
  EXPECT_EQ(bad.exitCode, 78) << bad.err;
  EXPECT_NE(bad.err.find("ibackupmon.toml"), std::string::npos) << bad.err;
  EXPECT_EQ(ctl({"status", "--config", cfg, "--db", db_}).exitCode, 64);
}

TEST_F(CtlTest, ExportJsonEqualsStatusJsonAndCsvIsRfc4180) {
  auto s = full("00008030-AAAA000000000001");
  s.name = "=HYPERLINK(\"http://evil\",\"x\"), \"quoted\"";
  save({s, status("B", BackupState::Ok)});
  auto st = ctl({"status", "--json", "--db", db_});
  auto ex = ctl({"export", "--format", "json", "--db", db_});
  EXPECT_EQ(ex.exitCode, 0);
  EXPECT_EQ(st.out, ex.out);
  auto csv = ctl({"export", "--format=csv", "--db", db_});
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("udid,name,label,location,product_type,ios_version,serial,connected,", 0),
            0u);
  EXPECT_NE(csv.out.find(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\"), \"\"quoted\"\"\","),
            std::string::npos)
      << csv.out;
  EXPECT_NE(csv.out.find(",backup_stale;not_on_power,"), std::string::npos);
  std::size_t lines = 0;
  for (std::size_t p = 0; (p = csv.out.find("\r\n", p)) != std::string::npos; p += 2) ++lines;
  EXPECT_EQ(lines, 3u);
}

TEST_F(CtlTest, HostileNamesStayInTheirCell) {
  auto s = status("00008030-EVIL000000000001", BackupState::Ok);
  s.name = "\x1b[31mred\x1b[0m\r\nInjected: line \"q\" <b>,x \xff\xfe " + std::string(100000, 'A');
  s.conditions = {condition("not_on_power", Severity::Warning, kT0)};
  s.conditions[0].evidence = {{"Device\nName", "\x1b]0;title\x07"}};
  save({s, status("B-ok", BackupState::Ok)});
  auto table = ctl({"status", "--db", db_});
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(table.out.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 5)
      << "header, 2 rows, blank, summary";
  EXPECT_TRUE(isValidUtf8(table.out));
  EXPECT_LT(table.out.size(), 2000u) << "names are capped in the table";
  auto js = ctl({"status", "--json", "--db", db_});
  EXPECT_TRUE(isValidUtf8(js.out));
  auto j = json::parse(js.out);
  EXPECT_NE(j[0]["name"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos)
      << "invalid bytes become U+FFFD";
  auto detail = ctl({"device", "EVIL000000000001", "--db", db_});
  EXPECT_EQ(detail.exitCode, 0) << detail.err;
  EXPECT_EQ(detail.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(detail.out.find('\x07'), std::string::npos);
  auto csv = ctl({"export", "--format", "csv", "--db", db_});
  EXPECT_TRUE(isValidUtf8(csv.out));
  EXPECT_EQ(csv.out.find('\x1b'), std::string::npos);
}

TEST_F(CtlTest, DeviceShowsEvidenceAndFixAndMatchesBySuffix) {
  save({full("00008030-AAAA000000000001"), status("00008030-BBBB000000000002", BackupState::Ok)});
  auto r = ctl({"device", "0000000001", "--db", db_});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("evidence: key = value of backup_stale"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fix: fix backup_stale"), std::string::npos);
  EXPECT_NE(r.out.find("Cart 3 / 17"), std::string::npos);
  auto j = ctl({"--json", "device", "00008030-AAAA000000000001", "--db", db_});
  EXPECT_EQ(json::parse(j.out)["serial"], "DMP123");
  EXPECT_EQ(ctl({"device", "00008030", "--db", db_}).exitCode, 1) << "ambiguous prefix";
  EXPECT_EQ(ctl({"device", "nope", "--db", db_}).exitCode, 1);
}

TEST_F(CtlTest, HistoryAndForget) {
  {
    auto store = Store::open(db_, OpenMode::ReadWrite);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->deviceAttached("U1", at(kT0)));
    auto s = testing::snapshot("U1", kT0 + 60);
    s.backup->lastCloudBackup = at(kT0 - 100);
    ASSERT_TRUE((*store)->recordCycle(s, {condition("not_on_power", Severity::Warning, kT0)},
                                      status("U1", BackupState::Ok)));
    ASSERT_TRUE((*store)->deviceDetached("U1", at(kT0 + 600)));
  }
  auto h = ctl({"history", "U1", "--json", "--db", db_});
  ASSERT_EQ(h.exitCode, 0) << h.err;
  auto j = json::parse(h.out);
  EXPECT_EQ(j["backups"][0]["kind"], "icloud");
  EXPECT_EQ(j["backups"][0]["at"], "2023-11-14T22:11:40Z");
  EXPECT_EQ(j["conditions"][0]["id"], "not_on_power");
  EXPECT_TRUE(j["conditions"][0]["closed"].is_null());
  EXPECT_EQ(j["sessions"][0]["detached"], "2023-11-14T22:23:20Z");
  EXPECT_EQ(j["observations"][0]["changes"]["battery_band"], 80);
  auto text = ctl({"history", "U1", "--db", db_});
  EXPECT_NE(text.out.find("Backups (1)"), std::string::npos) << text.out;
  EXPECT_EQ(ctl({"forget", "nobody", "--db", db_}).exitCode, 1);
  auto f = ctl({"forget", "U1", "--db", db_});
  EXPECT_EQ(f.exitCode, 0) << f.err;
  EXPECT_EQ(json::parse(ctl({"status", "--json", "--db", db_}).out).size(), 0u);
  EXPECT_EQ(ctl({"history", "U1", "--db", db_}).exitCode, 0) << "history is kept";
}

}  // namespace
}  // namespace ibackupmon

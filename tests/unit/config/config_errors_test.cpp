// SPDX-License-Identifier: Apache-2.0
// Bad inputs of every kind: each must give one clear line naming file:line:column, key and form.
#include <filesystem>

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/config_schema.h"

namespace ibackupmon {
namespace {

std::vector<std::string> errorsOf(const std::string& text) {
  auto config = loadConfigFromString(text, "t.toml");
  EXPECT_FALSE(config) << "expected errors for:\n" << text;
  if (config) return {};
  return errorLines(config.error());
}

std::string onlyError(const std::string& text) {
  auto lines = errorsOf(text);
  EXPECT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  return lines.empty() ? "" : lines.front();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ConfigErrors, WrongTypeNamesPositionKeyExpectedAndFound) {
  EXPECT_EQ(onlyError("[probe]\nconcurrency = \"eight\"\n"),
            "t.toml:2:15: probe.concurrency: expected an integer from 1 to 256, found \"eight\"");
}

TEST(ConfigErrors, BadDuration) {
  const std::string e = onlyError("[probe]\ninterval = \"5 minutes\"\n");
  EXPECT_EQ(e.rfind("t.toml:2:12: probe.interval: expected a duration such as", 0), 0u) << e;
  EXPECT_TRUE(contains(e, "found \"5 minutes\"")) << e;
  EXPECT_TRUE(contains(onlyError("[probe]\ninterval = 300\n"), "found integer 300"));
  EXPECT_TRUE(contains(onlyError("[probe]\ninterval = \"-5m\"\n"), "expected a duration"));
  EXPECT_TRUE(contains(onlyError("[probe]\ninterval = \"5\"\n"), "expected a duration"));
}

TEST(ConfigErrors, DurationOutOfRange) {
  EXPECT_TRUE(contains(onlyError("[probe]\ninterval = \"0s\"\n"),
                       "probe.interval: expected a duration from 1s to 1d, found \"0s\""));
  EXPECT_TRUE(contains(onlyError("[probe]\ntimeout = \"2h\"\n"), "from 1s to 1h"));
}

TEST(ConfigErrors, IntegerRanges) {
  EXPECT_TRUE(contains(onlyError("[probe]\nconcurrency = 0"), "found integer 0"));
  EXPECT_TRUE(contains(onlyError("[probe]\nconcurrency = 257"), "from 1 to 256"));
  EXPECT_TRUE(contains(onlyError("[thresholds]\nbattery_low = 101"), "from 0 to 100"));
  EXPECT_TRUE(contains(onlyError("[thresholds]\nbattery_health = 151"),
                       "thresholds.battery_health: expected an integer from 0 to 150"));
  EXPECT_TRUE(contains(onlyError("[thresholds]\nbattery_temperature = \"hot\""),
                       "thresholds.battery_temperature"));
  EXPECT_TRUE(contains(onlyError("[probe]\nconcurrency = 99999999999"), "from 1 to 256"));
  EXPECT_TRUE(contains(onlyError("[thresholds]\nstorage_low = -1"), "thresholds.storage_low"));
  EXPECT_TRUE(contains(onlyError("[thresholds]\nstorage_low = \"2 GB\""), "size in bytes"));
}

TEST(ConfigErrors, Enums) {
  EXPECT_TRUE(contains(onlyError("[log]\nlevel = \"verbose\""),
                       "expected one of \"trace\", \"debug\", \"info\", \"warn\" or \"error\", "
                       "found \"verbose\""));
  EXPECT_TRUE(contains(onlyError("[backup]\nexpect = \"itunes\""), "backup.expect"));
  EXPECT_TRUE(contains(onlyError("[alerts]\nrepeat = \"weekly\""), "\"diminishing\""));
  EXPECT_TRUE(contains(onlyError("[alerts.email]\nstarttls = true"), "found boolean true"));
}

TEST(ConfigErrors, ListenAddresses) {
  for (const char* bad : {"9847", "localhost:9847", "0.0.0.0:65536", "::1:9847", "[::1]9847",
                          "1.2.3:80", "0.0.0.0:", "[nope]:1"}) {
    EXPECT_TRUE(contains(onlyError(std::string("[metrics]\nlisten = \"") + bad + "\""),
                         "metrics.listen: expected \"HOST:PORT\""))
        << bad;
  }
}

TEST(ConfigErrors, AllSchemaErrorsAtOnceInFileOrder) {
  const auto lines = errorsOf(R"([probe]
interval = "soon"
concurrency = true
intervall = "5m"
[log]
level = 3
[alerts.email]
to = ["admin", 5]
[colour]
)");
  ASSERT_EQ(lines.size(), 7u) << ::testing::PrintToString(lines);
  EXPECT_TRUE(contains(lines[0], "t.toml:2:")) << lines[0];
  EXPECT_TRUE(contains(lines[1], "t.toml:3:")) << lines[1];
  EXPECT_TRUE(contains(lines[2], "t.toml:4:1: probe.intervall")) << lines[2];
  EXPECT_TRUE(contains(lines[3], "t.toml:6:")) << lines[3];
  EXPECT_TRUE(contains(lines[4], "alerts.email.to[0]: expected an email address")) << lines[4];
  EXPECT_TRUE(contains(lines[5], "alerts.email.to[1]: expected a string, found integer 5"))
      << lines[5];
  EXPECT_TRUE(contains(lines[6], "t.toml:9:2: colour: expected one of storage, metrics"))
      << lines[6];
}

TEST(ConfigErrors, SyntaxErrorIsReportedAlone) {
  const auto lines = errorsOf("[probe]\nconcurrency = \"x\"\n[log\nlevel = 1\n");
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0].rfind("t.toml:3:", 0), 0u) << lines[0];
  EXPECT_TRUE(contains(lines[0], ": syntax: ")) << lines[0];
  auto config = loadConfigFromString("a = = 1", "t.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "config_syntax");
}

TEST(ConfigErrors, DuplicateKeyIsASyntaxError) {
  EXPECT_TRUE(contains(onlyError("[log]\nlevel = \"info\"\nlevel = \"debug\"\n"), "syntax"));
}

TEST(ConfigErrors, UnknownKeySuggestsClosestKey) {
  EXPECT_TRUE(contains(onlyError("[probe]\nintervall = \"5m\""),
                       "probe.intervall: expected a key of [probe] (did you mean \"interval\"?), "
                       "found unknown key \"intervall\""));
  EXPECT_TRUE(contains(onlyError("[probes]\ninterval = \"5m\""), "did you mean \"probe\"?"));
  EXPECT_TRUE(contains(onlyError("[alerts.emial]\nsmtp_url = \"\""), "did you mean \"email\"?"));
}

TEST(ConfigErrors, KeyInTheWrongSectionSaysWhereItBelongs) {
  EXPECT_TRUE(contains(onlyError("[backup]\nconcurrency = 4"), "belongs in [probe]"));
}

TEST(ConfigErrors, UnknownKeyWithoutSuggestionListsTheKeys) {
  EXPECT_TRUE(contains(onlyError("[log]\nzzzzzz = 1"), "expected one of level, found unknown key"));
}

TEST(ConfigErrors, SectionOfTheWrongType) {
  EXPECT_TRUE(
      contains(onlyError("probe = 5"), "probe: expected a table ([probe]), found integer 5"));
  EXPECT_TRUE(contains(onlyError("[device]\nudid = \"x\""),
                       "device: expected an array of tables ([[device]]), found a table"));
}

TEST(ConfigErrors, CrossFieldRules) {
  EXPECT_TRUE(contains(onlyError("[backup]\nstale_after = \"8d\""),
                       "t.toml:2:15: backup.critical_after: expected a duration longer than "
                       "backup.stale_after (8d), found \"7d\""));
  EXPECT_TRUE(contains(onlyError("[alerts.email]\nsmtp_url = \"smtp://localhost:25\""),
                       "alerts.email.to: expected at least one recipient"));
  EXPECT_TRUE(contains(onlyError("[alerts.email]\nusername = \"u\""),
                       "alerts.email.password_file: expected it to be set together with "
                       "alerts.email.username"));
  EXPECT_TRUE(contains(onlyError("[metrics]\nbasic_auth_password_file = \"/p\""),
                       "metrics.basic_auth_user: expected it to be set together"));
}

TEST(ConfigErrors, DeviceEntries) {
  EXPECT_TRUE(contains(onlyError("[[device]]\nlabel = \"x\""), "device[0].udid: expected a udid"));
  EXPECT_TRUE(
      contains(onlyError("[[device]]\nudid = \"a b\""), "device[0].udid: expected a device UDID"));
  EXPECT_TRUE(contains(onlyError("[[device]]\nudid = \"ab\"\n[[device]]\nudid = \"ab\""),
                       "t.toml:4:8: device[1].udid: expected each device listed once"));
  EXPECT_TRUE(contains(onlyError("[[device]]\nudid = \"ab\"\nlable = \"x\""),
                       "device[0].lable: expected a key of [device] (did you mean \"label\"?)"));
}

TEST(ConfigErrors, SlotEntries) {
  EXPECT_EQ(onlyError("[[slot]]\nport = \"1-2.3\""),
            "t.toml:1:1: slot[0].label: expected a label in every [[slot]] entry, found none");
  EXPECT_EQ(onlyError("[[slot]]\nlabel = \"A\""),
            "t.toml:1:1: slot[0].port: expected a port or a path in every [[slot]] entry, "
            "found neither");
  EXPECT_EQ(onlyError("[[slot]]\nport = \"1-2\"\npath = \"pci-0000:00:14.0-usb-0:2\"\nlabel = "
                      "\"A\""),
            "t.toml:3:8: slot[0].path: expected a port or a path, not both, found both");
  EXPECT_EQ(onlyError("[[slot]]\nport = \"1-2.3:1.0\"\nlabel = \"A\""),
            "t.toml:2:8: slot[0].port: expected a USB port path such as \"1-2.3.4\" (bus, then hub "
            "ports; see ibackupmonctl status), found \"1-2.3:1.0\"");
  EXPECT_TRUE(contains(onlyError("[[slot]]\npath = \"usb-0:2\"\nlabel = \"A\""),
                       "slot[0].path: expected a udev ID_PATH such as"));
  EXPECT_EQ(onlyError("[[slot]]\nport = \"1-2\"\nlabel = \"A\"\n[[slot]]\nport = \"1-2\"\nlabel = "
                      "\"B\""),
            "t.toml:5:8: slot[1].port: expected each port in one [[slot]] only, found a second "
            "entry for \"1-2\"");
  EXPECT_TRUE(contains(onlyError("[[slot]]\nport = \"1-2\"\nlabel = \"\""),
                       "slot[0].label: expected a non-empty string"));
  EXPECT_TRUE(contains(onlyError("[host]\nsysfs_root = \"\""),
                       "host.sysfs_root: expected a non-empty string"));
  auto ok = loadConfigFromString(
      "[host]\nsysfs_root = \"/tmp/sys\"\n[[slot]]\nport = \"1-2\"\nlabel = \"Cart A / 01\"\n"
      "[[slot]]\npath = \"pci-0000:00:14.0-usb-0:2\"\nlabel = \"Cart A / 01\"\n",
      "t.toml");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->host.sysfsRoot, "/tmp/sys");
  ASSERT_EQ(ok->slots.size(), 2u);
  EXPECT_EQ(ok->slots[0], (SlotSetting{"1-2", std::nullopt, "Cart A / 01"}));
  EXPECT_EQ(ok->slots[1], (SlotSetting{std::nullopt, "pci-0000:00:14.0-usb-0:2", "Cart A / 01"}));
}

TEST(ConfigErrors, ControlCharactersAreRejectedAndShownEscaped) {
  EXPECT_TRUE(
      contains(onlyError("[alerts]\nhost_name = \"a\\nBcc: x\""), "found \"a\\x0aBcc: x\""));
  EXPECT_TRUE(
      contains(onlyError("[[device]]\nudid = \"ab\"\nlabel = \"\\u0007\""), "device[0].label"));
}

TEST(ConfigErrors, LongValuesAreCutInMessages) {
  const std::string e = onlyError("[log]\nlevel = \"" + std::string(100000, 'x') + "\"");
  EXPECT_LT(e.size(), 300u);
  EXPECT_TRUE(contains(e, "...\"")) << e;
}

TEST(ConfigErrors, UrlsAndAddresses) {
  EXPECT_TRUE(contains(onlyError("[alerts.email]\nsmtp_url = \"http://x\"\nto = [\"a@b\"]"),
                       "expected a URL starting with smtp:// or smtps://"));
  EXPECT_TRUE(contains(onlyError("[alerts.alertmanager]\nurl = \"127.0.0.1:9093\""),
                       "expected a URL starting with http:// or https://"));
  EXPECT_TRUE(contains(onlyError("[alerts.email]\nfrom = \"Me <me@x>\""), "email address"));
  EXPECT_TRUE(contains(onlyError("[ios]\nminimum_version = \"17.x\""), "a version like"));
  EXPECT_TRUE(contains(onlyError("[alerts]\ncontrol_socket = \"rel.sock\""), "absolute path"));
  EXPECT_TRUE(contains(onlyError("[alerts]\ncontrol_socket = \"/" + std::string(120, 'a') + "\""),
                       "107 bytes"));
  EXPECT_TRUE(contains(onlyError("[storage]\npath = \"\""), "expected a non-empty string"));
}

// The control socket replaces a stale socket at its path: the database there would be deleted.
TEST(ConfigErrors, ControlSocketOnTheDatabaseOrItsSideFiles) {
  const std::string storage = "[storage]\npath = \"/var/lib/ibm/state.db\"\n";
  for (const std::string socket :
       {"/var/lib/ibm/state.db", "/var/lib/ibm/state.db-wal", "/var/lib/ibm/state.db-shm",
        "/var/lib/ibm/./state.db", "/var/lib/other/../ibm//state.db-wal"}) {
    const std::string e = onlyError(storage + "[alerts]\ncontrol_socket = \"" + socket + "\"\n");
    EXPECT_TRUE(contains(e,
                         "t.toml:4:18: alerts.control_socket: expected a path other than the "
                         "database storage.path (\"/var/lib/ibm/state.db\")"))
        << e;
    EXPECT_TRUE(contains(e, "found \"" + socket + "\"")) << e;
  }
  // A relative storage.path is opened from the working directory.
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_TRUE(contains(onlyError("[storage]\npath = \"state.db\"\n[alerts]\ncontrol_socket = \"" +
                                 cwd + "/state.db-shm\"\n"),
                       "alerts.control_socket: expected a path other than the database"));
  EXPECT_TRUE(loadConfigFromString(storage + "[alerts]\ncontrol_socket = \"/var/lib/ibm/s.sock\"",
                                   "t.toml"));
  EXPECT_TRUE(loadConfigFromString(
      storage + "[alerts]\ncontrol_socket = \"/var/lib/ibm/state.db.sock\"", "t.toml"));
}

// Ties the schema to the reader: a key listed in the schema but never read would be reported as
// "unknown key" here instead of as a wrong type.
TEST(ConfigErrors, EveryKeyIsReadAndTypeChecked) {
  for (const std::string& full : allConfigKeys()) {
    const auto dot = full.rfind('.');
    const std::string section = full.substr(0, dot);
    const std::string key = full.substr(dot + 1);
    const bool array = section == "device" || section == "slot";
    std::string text = array ? "[[" + section + "]]\n" : "[" + section + "]\n";
    if (section == "device" && key != "udid") text += "udid = \"ab\"\n";
    if (section == "slot") text += key == "label" ? "port = \"1-1\"\n" : "label = \"x\"\n";
    text += key + " = { wrong = 1 }\n";
    const std::string shown = array ? section + "[0]." + key : full;
    const std::string e = onlyError(text);
    EXPECT_TRUE(contains(e, shown + ": expected ")) << e;
    EXPECT_TRUE(contains(e, "found a table")) << e;
  }
}

}  // namespace
}  // namespace ibackupmon

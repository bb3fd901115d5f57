// SPDX-License-Identifier: Apache-2.0
// Debian's own idevice* tools against ibackupmon-sim, asserting on what they print.
#include "sim_test_support.h"

namespace simtest {
namespace {

TEST_F(SimTest, IdeviceIdListsAttachedUsbDevicesOnly) {
  ProcessResult r = tool({"idevice_id", "-l"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(contains(r.out, kHealthy));
  EXPECT_TRUE(contains(r.out, kLocked));
  EXPECT_FALSE(contains(r.out, kUnplugged)) << "a detached device must not be listed";
  EXPECT_FALSE(contains(r.out, kNetwork)) << "-l lists USB devices only";
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 14);
  ProcessResult net = tool({"idevice_id", "-n"});
  EXPECT_EQ(net.out, std::string(kNetwork) + "\n");
}

TEST_F(SimTest, IdeviceinfoPrintsTheDefaultDomain) {
  ProcessResult r = tool({"ideviceinfo", "-u", kHealthy});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "DeviceName: Test-Healthy\n"));
  EXPECT_TRUE(contains(r.out, "ProductType: iPhone14,7\n"));
  EXPECT_TRUE(contains(r.out, "ProductVersion: 18.4.1\n"));
  EXPECT_TRUE(contains(r.out, "BuildVersion: 22E252\n"));
  EXPECT_TRUE(contains(r.out, std::string("UniqueDeviceID: ") + kHealthy + "\n"));
  EXPECT_TRUE(contains(r.out, "TimeIntervalSince1970: "));
  EXPECT_TRUE(contains(r.out, "WiFiAddress: "));
}

TEST_F(SimTest, IdeviceinfoPrintsTheBackupDomain) {
  ProcessResult r = tool({"ideviceinfo", "-u", kHealthy, "-q", "com.apple.mobile.backup"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "CloudBackupEnabled: true\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "LastCloudBackupDate: 769034247\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "LastCloudBackupTZ: GMT-4\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "Version: 2.0\n")) << r.out;
}

TEST_F(SimTest, BackupDateMayBeAPlistDate) {
  ProcessResult r = tool({"ideviceinfo", "-u", kPlistDate, "-q", "com.apple.mobile.backup", "-x"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "<date>2025-05-15T20:37:27Z</date>")) << r.out;
}

TEST_F(SimTest, IdeviceinfoPrintsTheBatteryDomain) {
  ProcessResult r = tool({"ideviceinfo", "-u", kHealthy, "-q", "com.apple.mobile.battery"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "BatteryCurrentCapacity: 57\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "ExternalConnected: false\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "HasBattery: true\n")) << r.out;
}

TEST_F(SimTest, IdevicenameReadsAndSetsTheName) {
  ProcessResult r = tool({"idevicename", "-u", kHealthy});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "Test-Healthy\n");
  ProcessResult set = tool({"idevicename", "-u", kHealthy, "Renamed <Cart 2>"});
  ASSERT_EQ(set.exitCode, 0) << set.err;
  EXPECT_EQ(tool({"idevicename", "-u", kHealthy}).out, "Renamed <Cart 2>\n");
}

TEST_F(SimTest, ValuesSetThroughCtlAreServed) {
  ASSERT_EQ(sim_->ctl({"set", kHealthy, "com.apple.mobile.battery", "BatteryCurrentCapacity", "12"})
                .exitCode,
            0);
  ASSERT_EQ(sim_->ctl({"set", kHealthy, "-", "DeviceName", "Set By Ctl"}).exitCode, 0);
  EXPECT_TRUE(contains(tool({"ideviceinfo", "-u", kHealthy, "-q", "com.apple.mobile.battery"}).out,
                       "BatteryCurrentCapacity: 12\n"));
  EXPECT_EQ(tool({"idevicename", "-u", kHealthy}).out, "Set By Ctl\n");
}

// A hostile device's strings (ESC, invalid UTF-8) can be sent on purpose: ctl carries raw bytes
// as string-hex:, and what the client receives depends on the reply format (docs/simulator.md).
TEST_F(SimTest, CtlSendsHostileStringBytes) {
  ProcessResult set = sim_->ctl({"set", kHealthy, "-", "DeviceName", "string:Cart\xff\xfe"});
  ASSERT_EQ(set.exitCode, 0) << set.err;
  ProcessResult r = tool({"ideviceinfo", "-u", kHealthy, "-k", "DeviceName"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "Cart\xff\xfe\n") << "invalid UTF-8 travels through an XML reply as it is";

  ASSERT_EQ(sim_->ctl({"set", kHealthy, "-", "DeviceName", "string-hex:411B5B324A42"}).exitCode, 0);
  r = tool({"ideviceinfo", "-u", kHealthy, "-k", "DeviceName"});
  EXPECT_EQ(r.out, "A [2JB\n") << "libimobiledevice turns controls of an XML reply into spaces";
  ASSERT_EQ(sim_->ctl({"fault", kHealthy, "binary_plist"}).exitCode, 0);
  r = tool({"ideviceinfo", "-u", kHealthy, "-k", "DeviceName"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "A\x1b[2JB\n") << "a binary reply delivers ESC";

  ProcessResult bad = sim_->ctl({"set", kHealthy, "-", "DeviceName", "string-hex:00FF"});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_TRUE(contains(bad.err, "NUL")) << bad.err;
  bad = sim_->ctl({"set", kHealthy, "-", "DeviceName", "string-hex:4"});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_TRUE(contains(bad.err, "hex digits")) << bad.err;
}

TEST_F(SimTest, DiagnosticsRestartReattachesWithANewDeviceId) {
  std::string before = deviceId(kRestart);
  ASSERT_NE(before, "-");
  ProcessResult r = tool({"idevicediagnostics", "-u", kRestart, "restart"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "Restarting device.")) << r.out;
  EXPECT_TRUE(waitFor([&] { return deviceId(kRestart) == "-"; }, std::chrono::seconds(30)));
  ASSERT_TRUE(waitFor([&] { return deviceId(kRestart) != "-"; }, std::chrono::seconds(30)));
  EXPECT_NE(deviceId(kRestart), before);
  EXPECT_TRUE(contains(tool({"idevice_id", "-l"}).out, kRestart));
}

TEST_F(SimTest, Backup2CloudOnEnablesCloudBackup) {
  ProcessResult r = tool({"idevicebackup2", "-u", kCloudOff, "cloud", "on"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "Cloud backup has been enabled successfully.")) << r.out;
  ProcessResult v = tool({"ideviceinfo", "-u", kCloudOff, "-q", "com.apple.mobile.backup", "-k",
                          "CloudBackupEnabled"});
  EXPECT_EQ(v.out, "true\n");
  ProcessResult off = tool({"idevicebackup2", "-u", kCloudOff, "cloud", "off"});
  EXPECT_TRUE(contains(off.out, "Cloud backup has been disabled successfully.")) << off.out;
  EXPECT_TRUE(contains(sim_->events(), "\"request\":\"EnableCloudBackup\""));
  EXPECT_TRUE(contains(sim_->events(), "com.apple.mobile.notification_proxy"));
}

}  // namespace
}  // namespace simtest

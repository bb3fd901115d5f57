// SPDX-License-Identifier: Apache-2.0
// The simulator's command line, fleet files, ctl errors and hostile usbmuxd clients.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "sim_test_support.h"

namespace simtest {
namespace {

std::string sim() {
  return SimProcess::binary("ibackupmon-sim");
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SimCliTest, UsageErrorsExitTwo) {
  ProcessResult r = runProcess({sim(), "--socket", "/tmp/x.sock"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_TRUE(contains(r.err, "exactly one of --fleet FILE or --generate N")) << r.err;
  r = runProcess({sim(), "--socket", "/tmp/x.sock", "--generate", "many"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_TRUE(contains(r.err, "--generate: expected a device count")) << r.err;
  EXPECT_EQ(runProcess({sim(), "ctl"}).exitCode, 2);
}

TEST(SimCliTest, BadArgumentsAreOneUsageLine) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{sim(), "--generate", "3", "--socket"},
       "ibackupmon-sim: --socket: expected a value; try --help\n"},
      {{sim(), "--bogus", "--generate=3"}, "ibackupmon-sim: --bogus: unknown option; try --help\n"},
      {{sim(), "--generate=3"}, "ibackupmon-sim: --socket: required; try --help\n"},
      {{sim(), "--help=1"}, "ibackupmon-sim: --help: expected no value; try --help\n"},
      {{sim(), "ctl", "list"}, "ibackupmon-sim ctl: --control: required; try --help\n"},
      {{sim(), "ctl", "list", "--control"},
       "ibackupmon-sim ctl: --control: expected a value; try --help\n"},
      {{sim(), "ctl", "--control=/tmp/x.ctl"},
       "ibackupmon-sim ctl: expected a COMMAND; try --help\n"},
      {{sim(), "ctl", "--control=/tmp/x.ctl", "list", "--bogus"},
       "ibackupmon-sim ctl: --bogus: unknown option; try --help\n"},
  };
  for (const auto& c : cases) {
    ProcessResult r = runProcess(c.args);
    EXPECT_EQ(r.exitCode, 2) << c.err;
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST(SimCliTest, HelpAndVersion) {
  ProcessResult h = runProcess({sim(), "--help"});
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_TRUE(h.out.starts_with("Usage: ibackupmon-sim --socket PATH|HOST:PORT")) << h.out;
  for (const char* o :
       {"--socket PATH|HOST:PORT", "--fleet FILE", "--generate N", "--seed S", "--write-fleet FILE",
        "--control PATH", "--ready-file PATH", "--events FILE", "-h, --help", "--version"}) {
    EXPECT_TRUE(contains(h.out, o)) << o;
  }
  EXPECT_EQ(runProcess({sim(), "-h"}).out, h.out);
  ProcessResult v = runProcess({sim(), "--version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_TRUE(v.out.starts_with("ibackupmon-sim ") && contains(v.out, " (revision ")) << v.out;
  ProcessResult ctlHelp = runProcess({sim(), "ctl", "--help"});
  EXPECT_EQ(ctlHelp.exitCode, 0);
  EXPECT_TRUE(ctlHelp.out.starts_with("Usage: ibackupmon-sim ctl --control PATH COMMAND"))
      << ctlHelp.out;
  EXPECT_TRUE(contains(ctlHelp.out, "restart-usbmuxd SECONDS"));
}

TEST(SimCliTest, OptionsTakeValuesAfterASpaceOrAnEqualsSign) {
  std::string fleet = "/tmp/ibackupmon-sim-eq-" + std::to_string(getpid()) + ".toml";
  // The fixture passes --socket, --generate, --control, ... as "--opt VALUE".
  SimProcess s(SimConfig{.generate = 3, .extraArgs = {"--write-fleet=" + fleet}});
  ASSERT_TRUE(s.start()) << s.error();
  EXPECT_TRUE(contains(slurp(fleet), "[[device]]"));
  std::remove(fleet.c_str());
  ProcessResult spaced = s.ctl({"list"});
  ASSERT_EQ(spaced.exitCode, 0) << spaced.err;
  ProcessResult after = runProcess({sim(), "ctl", "list", "--control=" + s.controlPath()});
  EXPECT_EQ(after.exitCode, 0) << after.err;
  EXPECT_EQ(after.out, spaced.out) << "--control=PATH after the command";
}

TEST(SimCliTest, BadFleetFileNamesLineAndColumn) {
  std::string path = "/tmp/ibackupmon-sim-bad-fleet-" + std::to_string(getpid()) + ".toml";
  std::ofstream(path)
      << "[[device]]\nudid = \"A-1\"\ncolour = \"red\"\n[device.faults]\nslow_ms = \"fast\"\n"
         "[[device]]\nsituation = \"no udid\"\n";
  ProcessResult r = runProcess({sim(), "--socket", "/tmp/unused.sock", "--fleet", path});
  std::remove(path.c_str());
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.err, path + ":3:10: device.colour: unknown key")) << r.err;
  EXPECT_TRUE(contains(r.err, path + ":5:11: faults.slow_ms")) << r.err;
  EXPECT_TRUE(contains(r.err, "udid is required")) << r.err;
}

TEST(SimCliTest, GeneratedFleetIsDeterministicAndLoadsBack) {
  std::string a = "/tmp/ibackupmon-sim-gen-a-" + std::to_string(getpid()) + ".toml";
  std::string b = "/tmp/ibackupmon-sim-gen-b-" + std::to_string(getpid()) + ".toml";
  SimProcess first(SimConfig{.generate = 40, .seed = 3, .extraArgs = {"--write-fleet", a}});
  ASSERT_TRUE(first.start()) << first.error();
  SimProcess second(SimConfig{.generate = 40, .seed = 3, .extraArgs = {"--write-fleet", b}});
  ASSERT_TRUE(second.start()) << second.error();
  EXPECT_EQ(slurp(a), slurp(b));
  SimProcess reloaded(SimConfig{.fleet = a});
  ASSERT_TRUE(reloaded.start()) << reloaded.error();
  EXPECT_EQ(reloaded.ctl({"list"}).out, first.ctl({"list"}).out);
  for (const char* s :
       {"healthy", "passcode_locked", "trust_pending", "ios_outdated", "stale_unexplained",
        "icloud_signed_out", "encryption_no_password", "network_device"}) {
    EXPECT_FALSE(first.udidsWith(s).empty()) << s;
  }
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(SimCliTest, CtlReportsErrorsClearly) {
  SimProcess s(SimConfig{.fleet = toolsFleet()});
  ASSERT_TRUE(s.start()) << s.error();
  ProcessResult r = s.ctl({"detach", "NO-SUCH-UDID"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.err, "unknown device NO-SUCH-UDID")) << r.err;
  r = s.ctl({"fault", kHealthy, "melting"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.err, "unknown fault 'melting'")) << r.err;
  r = s.ctl({"set", kHealthy, "com.apple.mobile.backup", "LastCloudBackupDate", "ago:soon"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.err, "expected a duration")) << r.err;
  EXPECT_EQ(s.ctl({"frobnicate"}).exitCode, 1);
  ProcessResult gone = runProcess({sim(), "ctl", "--control", "/nonexistent/ctl.sock", "list"});
  EXPECT_EQ(gone.exitCode, 3);
}

int connectUnix(const std::string& address) {
  std::string path = address.substr(5);  // "UNIX:"
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string packet(uint32_t length, uint32_t version, uint32_t message, const std::string& body) {
  std::string out(16, '\0');
  uint32_t fields[4] = {length, version, message, 7};
  std::memcpy(out.data(), fields, 16);  // little-endian host, as usbmuxd's wire format
  return out + body;
}

/// Bytes the simulator answers to `bytes` before closing or going quiet.
std::string roundTrip(const std::string& address, const std::string& bytes) {
  int fd = connectUnix(address);
  if (fd < 0) return "(connect failed)";
  (void)!write(fd, bytes.data(), bytes.size());
  std::string reply;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) reply.assign(buf, static_cast<size_t>(n));
  close(fd);
  return reply;
}

TEST(SimCliTest, MalformedUsbmuxInputGetsErrorsNotCrashes) {
  SimProcess s(SimConfig{.fleet = toolsFleet()});
  ASSERT_TRUE(s.start()) << s.error();
  std::string plist =
      "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>MessageType</key>"
      "<string>Frobnicate</string></dict></plist>";
  EXPECT_TRUE(contains(roundTrip(s.address(), packet(16 + plist.size(), 1, 8, plist)),
                       "<integer>1</integer>"));
  std::string garbage = "this is not a plist";
  EXPECT_TRUE(contains(roundTrip(s.address(), packet(16 + garbage.size(), 1, 8, garbage)),
                       "<integer>1</integer>"));
  EXPECT_TRUE(contains(roundTrip(s.address(), packet(16, 0, 3, "")), "<integer>6</integer>"));
  EXPECT_EQ(roundTrip(s.address(), packet(0xFFFFFFF0u, 1, 8, "")), "");  // huge length: dropped
  EXPECT_EQ(roundTrip(s.address(), packet(3, 1, 8, "")), "");            // length below header
  ProcessResult r = runProcess({"idevice_id", "-l"}, {.env = s.env()});
  EXPECT_EQ(r.exitCode, 0) << "the simulator must survive hostile clients";
  EXPECT_TRUE(contains(r.out, kHealthy));
}

}  // namespace
}  // namespace simtest

// SPDX-License-Identifier: Apache-2.0
// The raw usbmuxd ping against ibackupmon-sim: it answers; wedged (ctl wedge-usbmuxd) it accepts
// and stays silent; gone (socket missing, or a TCP port nobody listens on) it is absent, never
// silent. And the ping watch reports each, on its own thread, every interval.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "device/usbmuxd_ping.h"
#include "sim_fixture.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testkit::SimConfig;
using testkit::SimProcess;

constexpr auto kDeadline = 500ms;

SimConfig fleet(bool tcp) {
  SimConfig c;
  c.generate = 2;
  c.tcp = tcp;
  return c;
}

void expectWedgeCycle(SimProcess& sim) {
  // On a loaded machine one ping of 0.5 s may miss a healthy simulator: healthy is "answers
  // within a few tries", silent is "never within the deadline".
  auto answers = [&] {
    return pingUsbmuxd(sim.address(), kDeadline).result == UsbmuxdPingResult::Answered;
  };
  ASSERT_TRUE(testkit::waitFor(answers, 10s)) << "a healthy simulator answers";
  ASSERT_EQ(sim.ctl({"wedge-usbmuxd", "5"}).exitCode, 0);
  const auto before = std::chrono::steady_clock::now();
  auto silent = pingUsbmuxd(sim.address(), kDeadline);
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_EQ(silent.result, UsbmuxdPingResult::Silent) << silent.detail;
  EXPECT_NE(silent.detail.find("answered nothing"), std::string::npos) << silent.detail;
  EXPECT_GE(took, kDeadline);
  EXPECT_LT(took, kDeadline + 2s) << "the deadline bounds the whole ping";
  EXPECT_TRUE(testkit::waitFor(answers, 15s)) << "usbmuxd answers again when the wedge ends";
  EXPECT_NE(sim.events().find("(wedged)"), std::string::npos) << "the sim saw the request";
}

TEST(UsbmuxdPing, UnixSocketAnswersThenWedgesThenAnswers) {
  SimProcess sim(fleet(false));
  ASSERT_TRUE(sim.start()) << sim.error();
  expectWedgeCycle(sim);
}

TEST(UsbmuxdPing, TcpAnswersThenWedgesThenAnswers) {
  SimProcess sim(fleet(true));
  ASSERT_TRUE(sim.start()) << sim.error();
  expectWedgeCycle(sim);
}

TEST(UsbmuxdPing, MissingSocketOrRefusedPortIsAbsentNotSilent) {
  SimProcess sim(fleet(false));
  ASSERT_TRUE(sim.start()) << sim.error();
  const std::string address = sim.address();
  sim.stop();
  auto gone = pingUsbmuxd(address, kDeadline);
  EXPECT_EQ(gone.result, UsbmuxdPingResult::Absent) << gone.detail;
  auto missing = pingUsbmuxd("UNIX:" + sim.dir() + "/no-such.sock", kDeadline);
  EXPECT_EQ(missing.result, UsbmuxdPingResult::Absent) << missing.detail;
  EXPECT_NE(missing.detail.find("no-such.sock"), std::string::npos) << missing.detail;
  // A TCP port that was just free: connection refused.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(s);
  auto refused = pingUsbmuxd("127.0.0.1:" + std::to_string(ntohs(a.sin_port)), kDeadline);
  EXPECT_EQ(refused.result, UsbmuxdPingResult::Absent) << refused.detail;
}

TEST(UsbmuxdPing, RequestIsAPlistListDevicesPacket) {
  const std::string p = usbmuxdListDevicesPacket(7);
  ASSERT_GT(p.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8), p.size());
  EXPECT_EQ(p[4], 1) << "plist protocol version";
  EXPECT_EQ(p[8], 8) << "plist message";
  EXPECT_EQ(p[12], 7) << "tag";
  EXPECT_NE(p.find("<string>ListDevices</string>"), std::string::npos) << p;
}

TEST(UsbmuxdPingWatch, ReportsEveryIntervalOnItsOwnThread) {
  SimProcess sim(fleet(false));
  ASSERT_TRUE(sim.start()) << sim.error();
  sim.exportAddress();
  std::mutex m;
  std::condition_variable cv;
  std::vector<UsbmuxdPingResult> seen;
  UsbmuxdPingWatch watch({200ms, 300ms}, [&](const UsbmuxdPing& p) {
    std::lock_guard l(m);
    seen.push_back(p.result);
    cv.notify_all();
  });
  auto waitSeen = [&](UsbmuxdPingResult r) {
    std::unique_lock l(m);
    return cv.wait_for(l, 10s, [&] { return !seen.empty() && seen.back() == r; });
  };
  EXPECT_TRUE(waitSeen(UsbmuxdPingResult::Answered));
  ASSERT_EQ(sim.ctl({"wedge-usbmuxd", "2"}).exitCode, 0);
  EXPECT_TRUE(waitSeen(UsbmuxdPingResult::Silent));
  EXPECT_TRUE(waitSeen(UsbmuxdPingResult::Answered)) << "back by itself";
  watch.stop();
  std::lock_guard l(m);
  EXPECT_GE(seen.size(), 3u);
}

}  // namespace
}  // namespace ibackupmon

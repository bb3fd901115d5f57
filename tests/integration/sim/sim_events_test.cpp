// SPDX-License-Identifier: Apache-2.0
// A libimobiledevice event subscriber sees attach/detach and usbmuxd restarts.
#include <libimobiledevice/libimobiledevice.h>

#include <mutex>
#include <vector>

#include "sim_test_support.h"

namespace simtest {
namespace {

struct Seen {
  idevice_event_type type;
  std::string udid;
};

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // TCP: libusbmuxd's inotify wait only watches /var/run/usbmuxd.
    sim_ = std::make_unique<SimProcess>(SimConfig{.fleet = toolsFleet(), .tcp = true});
    ASSERT_TRUE(sim_->start()) << sim_->error();
    sim_->exportAddress();
    ASSERT_EQ(idevice_event_subscribe(&EventsTest::callback, this), IDEVICE_E_SUCCESS);
  }
  void TearDown() override { idevice_event_unsubscribe(); }

  static void callback(const idevice_event_t* e, void* self) {
    auto* t = static_cast<EventsTest*>(self);
    std::lock_guard lock(t->mutex_);
    t->seen_.push_back({e->event, e->udid ? e->udid : ""});
  }
  int count(idevice_event_type type, const std::string& udid) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const Seen& s) {
      return s.type == type && s.udid == udid;
    }));
  }

  std::unique_ptr<SimProcess> sim_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

TEST_F(EventsTest, SubscriberSeesAttachAndDetach) {
  ASSERT_TRUE(
      waitFor([&] { return count(IDEVICE_DEVICE_ADD, kHealthy) == 1; }, std::chrono::seconds(30)));
  EXPECT_EQ(count(IDEVICE_DEVICE_ADD, kUnplugged), 0);
  ASSERT_EQ(sim_->ctl({"detach", kHealthy}).exitCode, 0);
  EXPECT_TRUE(waitFor([&] { return count(IDEVICE_DEVICE_REMOVE, kHealthy) == 1; },
                      std::chrono::seconds(30)));
  ASSERT_EQ(sim_->ctl({"attach", kUnplugged}).exitCode, 0);
  EXPECT_TRUE(waitFor([&] { return count(IDEVICE_DEVICE_ADD, kUnplugged) == 1; },
                      std::chrono::seconds(30)));
  ASSERT_EQ(sim_->ctl({"attach", kHealthy}).exitCode, 0);
  EXPECT_TRUE(
      waitFor([&] { return count(IDEVICE_DEVICE_ADD, kHealthy) == 2; }, std::chrono::seconds(30)));
}

TEST_F(EventsTest, UsbmuxdRestartRemovesAndReaddsDevices) {
  ASSERT_TRUE(
      waitFor([&] { return count(IDEVICE_DEVICE_ADD, kHealthy) == 1; }, std::chrono::seconds(30)));
  ASSERT_EQ(sim_->ctl({"restart-usbmuxd", "1"}).exitCode, 0);
  EXPECT_TRUE(waitFor([&] { return count(IDEVICE_DEVICE_REMOVE, kHealthy) == 1; },
                      std::chrono::seconds(30)));
  // libusbmuxd reconnects on its own; the devices come back with new DeviceIDs.
  EXPECT_TRUE(
      waitFor([&] { return count(IDEVICE_DEVICE_ADD, kHealthy) == 2; }, std::chrono::seconds(30)));
  ProcessResult r = runProcess({"idevice_id", "-l"}, {.env = sim_->env()});
  EXPECT_TRUE(contains(r.out, kHealthy));
}

TEST_F(EventsTest, RestartWhileAToolRunsCutsItsConnection) {
  ASSERT_EQ(sim_->ctl({"restart-usbmuxd", "2"}).exitCode, 0);
  ProcessResult r =
      runProcess({"idevice_id", "-l"}, {.env = sim_->env(), .timeout = std::chrono::seconds(10)});
  EXPECT_NE(r.exitCode, 0) << "usbmuxd is away: listing must fail, found " << r.out;
  EXPECT_TRUE(waitFor(
      [&] {
        return contains(runProcess({"idevice_id", "-l"}, {.env = sim_->env()}).out, kHealthy);
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace simtest

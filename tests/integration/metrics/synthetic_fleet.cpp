// SPDX-License-Identifier: Apache-2.0
#include "synthetic_fleet.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ibackupmon::testing {
namespace {

using std::chrono::hours;

Condition condition(std::string id, Severity severity, TimePoint since) {
  Condition c;
  c.id = std::move(id);
  c.severity = severity;
  c.since = since;
  c.summary = "synthetic";
  return c;
}

std::string udidFor(std::size_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00008101-%016zX", i);
  return buf;
}

}  // namespace

std::vector<std::string> syntheticConditionIds() {
  return {"backup_stale",         "icloud_backup_disabled",
          "not_on_power",         "battery_low",
          "device_storage_low",   "encryption_password_missing",
          "passcode_locked",      "trust_pending",
          "trust_denied",         "not_paired",
          "values_prohibited",    "icloud_signed_out",
          "wifi_disconnected",    "ios_outdated",
          "clock_skew",           "probe_failing",
          "device_missing",       "stale_unexplained",
          "apple_service_outage", "device_values_invalid",
          "usb_link_degraded",    "battery_worn",
          "battery_hot",          "not_charging_on_power"};
}

DeviceStatus makeHealthyDevice(const std::string& udid, TimePoint now) {
  DeviceStatus d;
  d.udid = udid;
  const auto tail = [&](std::size_t n) {
    return udid.substr(udid.size() > n ? udid.size() - n : 0);
  };
  d.name = "Cart A " + tail(4);
  d.productType = "iPhone13,2";
  d.iosVersion = "17.5.1";
  d.serial = "F2LX" + tail(6);
  d.connected = true;
  d.firstSeen = now - hours(24 * 30);
  d.lastSeen = now;
  d.lastCloudBackup = now - hours(1);
  d.icloudBackupEnabled = true;
  d.batteryLevel = 80;
  d.onPower = true;
  d.charging = false;
  d.batteryHealth = 0.92;
  d.batteryCycleCount = 310;
  d.batteryTemperatureCelsius = 30.5;
  d.batteryCurrentMa = -120;
  d.chargerWatts = 20;
  d.storageAvailableBytes = 40ull << 30;
  d.storageCapacityBytes = 128ull << 30;
  d.backupState = BackupState::Ok;
  return d;
}

DeviceStatus makeHostileDevice(TimePoint now) {
  DeviceStatus d = makeHealthyDevice("00008101-HOSTILE000000000", now);
  d.name =
      std::string("Evil\r\n} 1\nibackupmon_fake 1 \"quoted\" back\\slash <b>x</b> \xff\xfe\xc3");
  d.productType = std::string("iPhone\"13,2\\\n");
  d.iosVersion = std::string("17\xc0\xaf.0");
  d.serial = std::string(100000, 'S');
  return d;
}

// Each device takes one branch of several independent cycles, so a fleet of a few dozen covers
// every combination the exporter treats differently.
FleetView makeSyntheticFleet(std::size_t n, TimePoint now) {
  FleetView view;
  view.usbmuxdUp = true;
  view.at = now;
  const auto ids = syntheticConditionIds();
  for (std::size_t i = 0; i < n; ++i) {
    DeviceStatus d = makeHealthyDevice(udidFor(i), now);
    d.connected = i % 5 != 4;
    d.lastSeen = d.connected ? now : now - hours(80);
    switch (i % 4) {
      case 0: break;
      case 1:
        d.backupState = BackupState::Stale;
        d.lastCloudBackup = now - hours(40);
        d.conditions.push_back(condition("backup_stale", Severity::Warning, now - hours(4)));
        break;
      case 2:
        d.backupState = BackupState::Stale;
        d.lastCloudBackup = now - hours(24 * 9);
        d.lastComputerBackup = now - hours(24 * 20);
        d.conditions.push_back(condition("backup_stale", Severity::Critical, now - hours(190)));
        d.conditions.push_back(condition("icloud_backup_disabled", Severity::Critical, now));
        d.icloudBackupEnabled = false;
        break;
      case 3:
        d.backupState = BackupState::Unknown;
        d.lastCloudBackup.reset();
        d.icloudBackupEnabled.reset();
        d.batteryLevel.reset();
        d.onPower.reset();
        d.charging.reset();
        d.batteryHealth.reset();
        d.batteryCycleCount.reset();
        d.batteryTemperatureCelsius.reset();
        d.batteryCurrentMa.reset();
        d.chargerWatts.reset();
        d.storageAvailableBytes.reset();
        d.storageCapacityBytes.reset();
        break;
    }
    if (i % 3 == 1) {
      d.onPower = false;
      d.batteryLevel = 15;
      if (d.chargerWatts) d.chargerWatts.reset();
    }
    if (d.batteryHealth) d.batteryHealth = 0.65 + static_cast<double>(i % 10) * 0.04;
    // Attached devices sit in a cart slot (every third port has no [[slot]] label); every
    // seventh negotiated only full speed.
    if (d.connected) {
      char port[32];
      std::snprintf(port, sizeof port, "1-1.%zu.%zu", i / 6 + 1, i % 6 + 1);
      d.slot = DeviceSlot{.port = port,
                          .path = std::string("pci-0000:00:14.0-usb-0:") + (port + 2),
                          .speedMbps = i % 7 == 6 ? 12.0 : 480.0};
      if (i % 3 != 2) d.slot->label = "Cart A / " + std::to_string(i + 1);
      if (i % 7 == 6) {
        d.conditions.push_back(condition("usb_link_degraded", Severity::Warning, now - hours(1)));
      }
    }
    const std::string& cycled = ids[i % ids.size()];
    if (std::none_of(d.conditions.begin(), d.conditions.end(),
                     [&](const Condition& c) { return c.id == cycled; })) {
      d.conditions.push_back(condition(cycled, Severity::Warning, now - hours(2)));
    }
    if (!d.connected) d.conditions.push_back(condition("device_missing", Severity::Warning, now));
    view.devices.push_back(std::move(d));
  }
  return view;
}

}  // namespace ibackupmon::testing

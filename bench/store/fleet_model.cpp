// SPDX-License-Identifier: Apache-2.0
#include "fleet_model.h"

#include <algorithm>
#include <cstdio>

namespace ibackupmon::bench {
namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

int hourOf(std::int64_t t) {
  return static_cast<int>((t % kDay) / 3600);
}

}  // namespace

FleetModel::FleetModel(int devices, std::int64_t start, std::uint32_t seed) : rng_(seed) {
  for (int i = 0; i < devices; ++i) {
    SimDevice d;
    char udid[32];
    std::snprintf(udid, sizeof udid, "00008030-%016X", static_cast<unsigned>(i * 2654435761u));
    d.udid = udid;
    int r = i % 10;
    d.profile = r < 6 ? Profile::Cart : r < 9 ? Profile::Kiosk : Profile::Flaky;
    d.lastCloud = start - kDay;
    d.lastComputer = start - 30 * kDay;
    d.storageFree = (8 + rng_() % 40) * kGiB;
    d.backupMinute = static_cast<int>(rng_() % 240);  // between 01:00 and 05:00
    devices_.push_back(d);
  }
}

// Carts leave at 08:00 and return at 15:00 with a drained battery; they charge ~1 % a minute.
// Kiosks stay on power. Flaky devices come and go at random and sometimes cannot be read.
// A backup completes nightly while attached; 1 device in 10 also backs up to a computer weekly.
Tick FleetModel::advance(std::size_t i, std::int64_t t) {
  SimDevice& d = devices_[i];
  Tick tick;
  const int h = hourOf(t);
  bool attached = d.attached;
  if (d.profile == Profile::Cart) attached = h < 8 || h >= 15;
  if (d.profile == Profile::Flaky && rng_() % 500 == 0) attached = !attached;
  if (attached != d.attached) {
    tick.attachChanged = true;
    d.attached = attached;
    if (attached && d.profile == Profile::Cart) d.battery = 25 + static_cast<int>(rng_() % 40);
  }
  if (!d.attached) return tick;
  tick.probed = true;
  d.onPower = d.profile != Profile::Flaky || rng_() % 50 != 0;
  if (d.onPower) {
    d.battery = std::min(100, d.battery + 5);
  } else {
    d.battery = std::max(1, d.battery - 1);
  }
  d.probeFails = d.profile == Profile::Flaky && rng_() % 100 == 0;
  const std::int64_t minuteOfDay = (t % kDay) / 60;
  if (minuteOfDay >= 60 + d.backupMinute && minuteOfDay < 65 + d.backupMinute && d.onPower &&
      rng_() % 20 != 0) {
    d.lastCloud = t - 60;
  }
  if (i % 10 == 3 && (t / kDay) % 7 == 2 && minuteOfDay == 600) d.lastComputer = t - 30;
  // Storage drifts by a few MB a probe; the GiB band moves a few times a week.
  d.storageFree += (rng_() % 64) * (1ull << 20);
  d.storageFree -= std::min<std::uint64_t>(d.storageFree - kGiB, (rng_() % 65) * (1ull << 20));
  return tick;
}

DeviceSnapshot FleetModel::snapshot(std::size_t i, std::int64_t t) const {
  const SimDevice& d = devices_[i];
  DeviceSnapshot s;
  s.identity.udid = d.udid;
  s.takenAt = fromUnixSeconds(t);
  s.connected = true;
  if (d.probeFails) {
    s.probes.push_back(ProbeOutcome{"identity", ProbeStatus::Error, "timeout", "", 15});
    return s;
  }
  s.trust = TrustState::Trusted;
  s.identity.name = "Cart " + std::to_string(i / 30) + " / " + std::to_string(i % 30);
  s.identity.productType = "iPad13,1";
  s.identity.productVersion = "17.5.1";
  s.identity.buildVersion = "21F90";
  s.identity.serial = "DMP" + d.udid.substr(9, 9);
  s.identity.deviceClock = fromUnixSeconds(t + 1);
  s.backup = BackupFacts{};
  s.backup->cloudBackupEnabled = true;
  s.backup->lastCloudBackup = fromUnixSeconds(d.lastCloud);
  s.backup->lastComputerBackup = fromUnixSeconds(d.lastComputer);
  s.backup->willEncrypt = true;
  s.battery =
      BatteryInfo{d.battery, d.onPower && d.battery < 100, d.onPower, true, d.battery == 100, true};
  s.storage = StorageInfo{64 * kGiB, 58 * kGiB, d.storageFree, d.storageFree, 0};
  s.account = AccountInfo{true, {"user@example.org"}};
  for (const char* p : {"identity", "backup", "battery", "storage", "account"}) {
    s.probes.push_back(ProbeOutcome{p, ProbeStatus::Ok, "", "", 0.05});
  }
  return s;
}

std::vector<Condition> FleetModel::conditions(std::size_t i, std::int64_t t) const {
  const SimDevice& d = devices_[i];
  std::vector<Condition> out;
  auto add = [&](const char* id, Severity sev, std::int64_t since, std::string key,
                 std::string value) {
    out.push_back(Condition{id,
                            sev,
                            fromUnixSeconds(since),
                            Confidence::Observed,
                            {{std::move(key), std::move(value)}},
                            id,
                            "see docs/conditions.md"});
  };
  const std::int64_t age = t - d.lastCloud;
  if (age > 36 * 3600) {
    add("backup_stale", age > 7 * 86400 ? Severity::Critical : Severity::Warning,
        d.lastCloud + 36 * 3600, "LastCloudBackupDate", std::to_string(d.lastCloud));
  }
  if (!d.onPower) add("not_on_power", Severity::Warning, t, "ExternalConnected", "false");
  if (d.battery < 20)
    add("battery_low", Severity::Warning, t, "BatteryCurrentCapacity", std::to_string(d.battery));
  if (d.probeFails) add("probe_failing", Severity::Warning, t, "error", "timeout");
  return out;
}

std::uint32_t FleetModel::conditionMask(std::size_t i, std::int64_t t) const {
  const SimDevice& d = devices_[i];
  const std::int64_t age = t - d.lastCloud;
  return (age > 36 * 3600 ? 1u : 0u) | (age > 7 * 86400 ? 2u : 0u) | (!d.onPower ? 4u : 0u) |
         (d.battery < 20 ? 8u : 0u) | (d.probeFails ? 16u : 0u);
}

DeviceStatus FleetModel::status(std::size_t i, std::int64_t t) const {
  const SimDevice& d = devices_[i];
  DeviceStatus s;
  s.udid = d.udid;
  s.name = "Cart " + std::to_string(i / 30) + " / " + std::to_string(i % 30);
  s.productType = "iPad13,1";
  s.iosVersion = "17.5.1";
  s.connected = d.attached;
  s.lastSeen = fromUnixSeconds(t);
  s.lastCloudBackup = fromUnixSeconds(d.lastCloud);
  s.lastComputerBackup = fromUnixSeconds(d.lastComputer);
  s.icloudBackupEnabled = true;
  s.batteryLevel = d.battery;
  s.onPower = d.onPower;
  s.storageAvailableBytes = d.storageFree;
  s.storageCapacityBytes = 58 * kGiB;
  s.conditions = conditions(i, t);
  s.backupState = d.probeFails                  ? BackupState::Unknown
                  : t - d.lastCloud > 36 * 3600 ? BackupState::Stale
                                                : BackupState::Ok;
  return s;
}

}  // namespace ibackupmon::bench

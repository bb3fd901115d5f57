#include "metrics/device_series.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/sanitize.h"

namespace ibackupmon::metrics {
namespace {

std::optional<double> toDouble(const std::optional<bool>& v) {
  if (!v) return std::nullopt;
  return *v ? 1.0 : 0.0;
}

std::optional<double> toDouble(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return unixSeconds(*t);
}

std::optional<double> toDouble(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

// A level outside 0..100 is a bogus reading: showing it clamped would invent a value.
std::optional<double> batteryRatio(const std::optional<int>& level) {
  if (!level || *level < 0 || *level > 100) return std::nullopt;
  return *level / 100.0;
}

std::string labelValue(const std::optional<std::string>& v) {
  return v ? sanitizeDeviceString(*v) : std::string();
}

bool isCriticalStale(const DeviceStatus& s) {
  return std::any_of(s.conditions.begin(), s.conditions.end(), [](const Condition& c) {
    return c.id == "backup_stale" && c.severity == Severity::Critical;
  });
}

}  // namespace

double unixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

DeviceSeries::DeviceSeries(Families& families, std::string udid)
    : f_(families), udid_(std::move(udid)), udidLabel_{{"udid", udid_}} {}

DeviceSeries::~DeviceSeries() {
  set(f_.deviceInfo, info_, {}, std::nullopt);
  set(f_.deviceConnected, connected_, {}, std::nullopt);
  set(f_.deviceLastSeen, lastSeen_, {}, std::nullopt);
  set(f_.backupLastSuccess, cloudBackup_, {}, std::nullopt);
  set(f_.backupLastSuccess, computerBackup_, {}, std::nullopt);
  set(f_.backupIcloudEnabled, icloudEnabled_, {}, std::nullopt);
  set(f_.backupStale, stale_, {}, std::nullopt);
  set(f_.backupStaleCritical, staleCritical_, {}, std::nullopt);
  set(f_.batteryLevel, batteryLevel_, {}, std::nullopt);
  set(f_.batteryExternalPower, externalPower_, {}, std::nullopt);
  set(f_.batteryCharging, charging_, {}, std::nullopt);
  set(f_.storageAvailable, storageAvailable_, {}, std::nullopt);
  set(f_.storageCapacity, storageCapacity_, {}, std::nullopt);
  for (auto& [id, gauge] : conditions_) set(f_.conditionActive, gauge, {}, std::nullopt);
}

void DeviceSeries::set(GaugeFamily& family, Gauge*& slot, const prometheus::Labels& labels,
                       std::optional<double> value) {
  if (!value) {
    if (slot) family.Remove(slot);
    slot = nullptr;
    return;
  }
  if (!slot) slot = &family.Add(labels);
  slot->Set(*value);
}

void DeviceSeries::update(const DeviceStatus& s, const std::vector<std::string>& conditionIds) {
  updateInfo(s);
  set(f_.deviceConnected, connected_, udidLabel_, s.connected ? 1.0 : 0.0);
  set(f_.deviceLastSeen, lastSeen_, udidLabel_, toDouble(s.lastSeen));
  updateBackup(s);
  set(f_.batteryLevel, batteryLevel_, udidLabel_, batteryRatio(s.batteryLevel));
  set(f_.batteryExternalPower, externalPower_, udidLabel_, toDouble(s.onPower));
  set(f_.batteryCharging, charging_, udidLabel_, toDouble(s.charging));
  set(f_.storageAvailable, storageAvailable_, udidLabel_, toDouble(s.storageAvailableBytes));
  set(f_.storageCapacity, storageCapacity_, udidLabel_, toDouble(s.storageCapacityBytes));
  updateConditions(s, conditionIds);
}

// The info labels change when a device is renamed or updated: the old series must go, or the
// udid would have two info series and joins on it would fail.
void DeviceSeries::updateInfo(const DeviceStatus& s) {
  prometheus::Labels labels{{"udid", udid_},
                            {"name", sanitizeDeviceString(s.name)},
                            {"product_type", labelValue(s.productType)},
                            {"ios_version", labelValue(s.iosVersion)},
                            {"serial", labelValue(s.serial)}};
  if (info_ && labels != infoLabels_) set(f_.deviceInfo, info_, {}, std::nullopt);
  infoLabels_ = std::move(labels);
  set(f_.deviceInfo, info_, infoLabels_, 1.0);
}

void DeviceSeries::updateBackup(const DeviceStatus& s) {
  set(f_.backupLastSuccess, cloudBackup_, {{"udid", udid_}, {"kind", "icloud"}},
      toDouble(s.lastCloudBackup));
  set(f_.backupLastSuccess, computerBackup_, {{"udid", udid_}, {"kind", "computer"}},
      toDouble(s.lastComputerBackup));
  set(f_.backupIcloudEnabled, icloudEnabled_, udidLabel_, toDouble(s.icloudBackupEnabled));
  std::optional<double> stale;
  std::optional<double> critical;
  if (s.backupState != BackupState::Unknown) {
    const bool isStale = s.backupState == BackupState::Stale;
    stale = isStale ? 1.0 : 0.0;
    critical = isStale && isCriticalStale(s) ? 1.0 : 0.0;
  }
  set(f_.backupStale, stale_, udidLabel_, stale);
  set(f_.backupStaleCritical, staleCritical_, udidLabel_, critical);
}

void DeviceSeries::updateConditions(const DeviceStatus& s,
                                    const std::vector<std::string>& conditionIds) {
  std::set<std::string> open;
  for (const Condition& c : s.conditions) open.insert(sanitizeDeviceString(c.id));
  for (const std::string& id : conditionIds) {
    // Built only once per series: a fleet update touches tens of thousands of them.
    Gauge*& slot = conditions_[id];
    if (!slot) slot = &f_.conditionActive.Add({{"udid", udid_}, {"condition", id}});
    slot->Set(open.count(id) ? 1.0 : 0.0);
  }
}

}  // namespace ibackupmon::metrics

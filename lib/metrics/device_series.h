#pragma once
/// The series of one device across every per-device family. A value that is unknown has no
/// series at all (absent, never a made-up 0); destroying a DeviceSeries removes all its series.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/condition.h"
#include "metrics/families.h"

namespace ibackupmon::metrics {

class DeviceSeries {
 public:
  /// udid must already be sanitised; families must outlive this object.
  DeviceSeries(Families& families, std::string udid);
  ~DeviceSeries();
  DeviceSeries(const DeviceSeries&) = delete;
  DeviceSeries& operator=(const DeviceSeries&) = delete;

  /// Brings every series in line with one DeviceStatus row. conditionIds lists every known id
  /// (sanitised); each gets a 0/1 series.
  void update(const DeviceStatus& status, const std::vector<std::string>& conditionIds);

 private:
  using Gauge = prometheus::Gauge;
  /// Adds, sets or removes the one series of family held in slot.
  void set(GaugeFamily& family, Gauge*& slot, const prometheus::Labels& labels,
           std::optional<double> value);
  void updateInfo(const DeviceStatus& status);
  void updateBackup(const DeviceStatus& status);
  void updateConditions(const DeviceStatus& status, const std::vector<std::string>& conditionIds);

  Families& f_;
  std::string udid_;
  prometheus::Labels udidLabel_;
  prometheus::Labels infoLabels_;
  Gauge* info_ = nullptr;
  Gauge* connected_ = nullptr;
  Gauge* lastSeen_ = nullptr;
  Gauge* cloudBackup_ = nullptr;
  Gauge* computerBackup_ = nullptr;
  Gauge* icloudEnabled_ = nullptr;
  Gauge* stale_ = nullptr;
  Gauge* staleCritical_ = nullptr;
  Gauge* batteryLevel_ = nullptr;
  Gauge* externalPower_ = nullptr;
  Gauge* charging_ = nullptr;
  Gauge* storageAvailable_ = nullptr;
  Gauge* storageCapacity_ = nullptr;
  std::map<std::string, Gauge*> conditions_;  ///< condition id -> series
};

/// Seconds since the Unix epoch, with sub-second precision.
double unixSeconds(TimePoint t);

}  // namespace ibackupmon::metrics

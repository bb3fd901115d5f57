// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A deterministic simulated fleet for the store benchmark: what 1000 devices on USB look like
/// probe after probe (carts that leave by day and charge by night, always-on kiosks, flaky ones).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/condition.h"
#include "core/snapshot.h"

namespace ibackupmon::bench {

inline constexpr std::int64_t kDay = 86400;

enum class Profile { Cart, Kiosk, Flaky };

struct SimDevice {
  std::string udid;
  Profile profile = Profile::Cart;
  bool attached = true;
  int battery = 100;
  bool onPower = true;
  bool probeFails = false;
  std::int64_t lastCloud = 0;
  std::int64_t lastComputer = 0;
  std::uint64_t storageFree = 0;
  int backupMinute = 0;  ///< minute of the night its iCloud backup completes
};

struct Tick {
  bool attachChanged = false;
  bool probed = false;  ///< attached: a probe cycle ran
};

class FleetModel {
 public:
  FleetModel(int devices, std::int64_t start, std::uint32_t seed);
  /// Advances device i to time t (called every 5 minutes per device, in time order).
  Tick advance(std::size_t i, std::int64_t t);
  DeviceSnapshot snapshot(std::size_t i, std::int64_t t) const;
  std::vector<Condition> conditions(std::size_t i, std::int64_t t) const;
  /// Which conditions() are active, one bit each (severity included): cheap change detection.
  std::uint32_t conditionMask(std::size_t i, std::int64_t t) const;
  DeviceStatus status(std::size_t i, std::int64_t t) const;
  std::size_t size() const { return devices_.size(); }
  const SimDevice& device(std::size_t i) const { return devices_[i]; }

 private:
  std::vector<SimDevice> devices_;
  std::mt19937 rng_;
};

}  // namespace ibackupmon::bench

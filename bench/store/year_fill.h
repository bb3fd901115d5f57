// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Writes simulated days of the bench fleet into a store through the real Store API: either
/// only the probes that change something, or every probe exactly as the daemon's monitor does.

#include <cstdint>
#include <vector>

#include "fleet_model.h"
#include "store/sqlite_store.h"

namespace ibackupmon::bench {

struct FillStats {
  long long probes = 0;   ///< 5-minute ticks with the device attached (a probe ran)
  long long written = 0;  ///< probes that went through the store's write path
  long long attachEvents = 0;
  long long pruned = 0;     ///< rows deleted by retention (pruneBefore, daily)
  long long forgotten = 0;  ///< devices forgotten by forget_after
  double cpuMs = 0, wallMs = 0;
  int days = 0;

  FillStats& operator+=(const FillStats& o);
};

struct FillOptions {
  int retentionDays = 400;   ///< [storage] retention default
  int forgetAfterDays = 90;  ///< [storage] forget_after default
};

class YearFiller {
 public:
  YearFiller(SqliteStore& store, FleetModel& fleet, std::int64_t start, FillOptions options);
  /// The next `days`: probes that change nothing the store keeps (no observation, event,
  /// interval or session, only the heartbeat columns and the status row) are skipped; the
  /// others go through recordCycle (one transaction).
  FillStats changesOnly(int days);
  /// The next `days`, every probe as the monitor writes it (lib/app/monitor_state.cpp):
  /// recordSnapshot, recordConditions and saveStatus, each its own transaction.
  FillStats daemonPath(int days);
  std::int64_t now() const { return t_; }

 private:
  struct ChangeKey {
    int batteryBand = -1;
    bool onPower = false, fails = false;
    std::int64_t cloud = 0, computer = 0;
    std::uint64_t storageGiB = 0;
    std::uint32_t conditions = 0;
    bool operator==(const ChangeKey&) const = default;
  };
  template <class Write>
  FillStats run(int days, Write&& write);
  void housekeeping(FillStats& st);

  SqliteStore& store_;
  FleetModel& fleet_;
  FillOptions options_;
  std::int64_t t_;
  std::vector<ChangeKey> last_;
};

/// Exits the benchmark with a message when a store call failed.
void check(bool ok, const char* what);

}  // namespace ibackupmon::bench

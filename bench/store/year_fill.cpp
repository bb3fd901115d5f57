// SPDX-License-Identifier: Apache-2.0
#include "year_fill.h"

#include "fleet_model.h"
#include "query_timing.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace ibackupmon::bench {
namespace {

constexpr std::int64_t kProbeInterval = 300;
constexpr int kPruneBatch = 500;  // the monitor's batch (lib/app/monitor_housekeeping.cpp)

}  // namespace

FillStats& FillStats::operator+=(const FillStats& o) {
  probes += o.probes;
  written += o.written;
  attachEvents += o.attachEvents;
  pruned += o.pruned;
  forgotten += o.forgotten;
  cpuMs += o.cpuMs;
  wallMs += o.wallMs;
  days += o.days;
  return *this;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "store_bench: %s failed\n", what);
    std::exit(1);
  }
}

YearFiller::YearFiller(SqliteStore& store, FleetModel& fleet, std::int64_t start,
                       FillOptions options)
    : store_(store), fleet_(fleet), options_(options), t_(start), last_(fleet.size()) {}

template <class Write>
FillStats YearFiller::run(int days, Write&& write) {
  FillStats st;
  st.days = days;
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpuNowMs();
  const std::int64_t end = t_ + days * kDay;
  for (; t_ < end; t_ += kProbeInterval) {
    for (std::size_t i = 0; i < fleet_.size(); ++i) {
      const Tick tick = fleet_.advance(i, t_);
      const SimDevice& d = fleet_.device(i);
      if (tick.attachChanged) {
        ++st.attachEvents;
        check(d.attached ? bool(store_.deviceAttached(d.udid, fromUnixSeconds(t_)))
                         : bool(store_.deviceDetached(d.udid, fromUnixSeconds(t_))),
              "attach/detach");
      }
      if (!tick.probed) continue;
      ++st.probes;
      const ChangeKey key{d.battery / 10,
                          d.onPower,
                          d.probeFails,
                          d.lastCloud,
                          d.lastComputer,
                          d.storageFree >> 30,
                          fleet_.conditionMask(i, t_)};
      const bool changed = !(key == last_[i]) || tick.attachChanged;
      last_[i] = key;
      if (write(i, changed)) ++st.written;
    }
    if ((t_ + kProbeInterval) % kDay == 0) housekeeping(st);
  }
  st.cpuMs = cpuNowMs() - cpu0;
  st.wallMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
  return st;
}

// What the monitor's tick does (every probe interval there; once a simulated day here, its
// per-tick cost is measured on the finished database): forget_after, then retention in batches.
void YearFiller::housekeeping(FillStats& st) {
  const TimePoint now = fromUnixSeconds(t_);
  auto forgotten =
      store_.forgetUnseenSince(now - std::chrono::hours(24 * options_.forgetAfterDays));
  check(bool(forgotten), "forgetUnseenSince");
  st.forgotten += static_cast<long long>(forgotten->size());
  for (;;) {
    auto r = store_.pruneBefore(now - std::chrono::hours(24 * options_.retentionDays), kPruneBatch);
    check(bool(r), "pruneBefore");
    st.pruned += r->rowsDeleted;
    if (!r->more) break;
  }
}

FillStats YearFiller::changesOnly(int days) {
  return run(days, [&](std::size_t i, bool changed) {
    if (!changed) return false;
    check(bool(store_.recordCycle(fleet_.snapshot(i, t_), fleet_.conditions(i, t_),
                                  fleet_.status(i, t_))),
          "recordCycle");
    return true;
  });
}

FillStats YearFiller::daemonPath(int days) {
  return run(days, [&](std::size_t i, bool) {
    const DeviceSnapshot snap = fleet_.snapshot(i, t_);
    check(bool(store_.recordSnapshot(snap)), "recordSnapshot");
    check(bool(store_.recordConditions(snap.identity.udid, fleet_.conditions(i, t_), snap.takenAt)),
          "recordConditions");
    check(bool(store_.saveStatus(fleet_.status(i, t_))), "saveStatus");
    return true;
  });
}

}  // namespace ibackupmon::bench

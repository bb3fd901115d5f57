// SPDX-License-Identifier: Apache-2.0
#include "alert/policy.h"

#include <algorithm>
#include <map>

#include "core/enum_names.h"

namespace ibackupmon {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

bool isAcked(const std::vector<AlertAck>& acks, const AlertKey& key, TimePoint now) {
  return std::any_of(acks.begin(), acks.end(),
                     [&](const AlertAck& a) { return a.covers(key, now); });
}

void earliest(std::optional<TimePoint>& slot, TimePoint t) {
  if (!slot || t < *slot) slot = t;
}

// Working copy of one record plus what this decision learned about it.
struct Item {
  AlertRecord rec;
  bool escalated = false;  // severity rose after it was announced: remind now
  bool ackedNow = false;
};

// Folds what is active now into the records: new alerts open, vanished ones resolve.
void applyActive(std::map<AlertKey, Item>& items, const std::vector<ActiveAlert>& active,
                 const AlertPolicy& policy, TimePoint now) {
  std::map<AlertKey, const ActiveAlert*> byKey;
  for (const auto& a : active) byKey[a.key] = &a;
  for (const auto& [key, a] : byKey) {
    auto it = items.find(key);
    bool finished =
        it != items.end() && it->second.rec.resolvedAt && it->second.rec.resolutionNotified;
    if (it == items.end() || finished) {
      Item fresh;
      fresh.rec.key = key;
      fresh.rec.severity = a->severity;
      fresh.rec.openedAt = now;
      items[key] = fresh;
      continue;
    }
    AlertRecord& r = it->second.rec;
    r.resolvedAt.reset();  // came back before its resolution was mailed: same alert continues
    if (a->severity > r.severity && r.notifications > 0) it->second.escalated = true;
    r.severity = a->severity;
  }
  for (auto& [key, item] : items) {
    AlertRecord& r = item.rec;
    if (byKey.count(key) || r.resolvedAt) continue;
    r.resolvedAt = now;
    // Nothing to announce when nobody heard of it, or when recovery mail is off.
    if (r.notifications == 0 || !policy.notifyResolved) r.resolutionNotified = true;
  }
}

}  // namespace

AlertPolicy AlertPolicy::fromConfig(const AlertsConfig& c) {
  AlertPolicy p;
  p.repeat = c.repeat;
  p.groupWindow = c.groupWindow;
  p.notifyResolved = c.notifyResolved;
  // Alertmanager must see endsAt a few times before the record goes.
  p.resolvedRetention =
      std::max<Duration>(std::chrono::minutes(15), 4 * c.alertmanager.resendInterval);
  return p;
}

std::optional<Duration> reminderInterval(RepeatPolicy repeat, int notifications) {
  switch (repeat) {
    case RepeatPolicy::Once: return std::nullopt;
    case RepeatPolicy::Daily: return kDay;
    case RepeatPolicy::Diminishing: {
      int shift = std::clamp(notifications - 1, 0, 16);  // 1, 2, 4, 8 ... days, capped
      return kDay * (1 << shift);
    }
  }
  return std::nullopt;
}

Decision decide(const std::vector<AlertRecord>& state, const std::vector<ActiveAlert>& active,
                const std::vector<AlertAck>& acks, const AlertPolicy& policy, TimePoint now) {
  std::map<AlertKey, Item> items;
  for (const auto& r : state) items[r.key].rec = r;
  applyActive(items, active, policy, now);

  Decision d;
  bool ripe = false;
  std::vector<std::pair<Item*, NoticeKind>> pending;
  for (auto& [key, item] : items) {
    AlertRecord& r = item.rec;
    if (r.resolvedAt) {
      if (r.resolutionNotified) continue;
      pending.emplace_back(&item, NoticeKind::Resolved);
      if (*r.resolvedAt + policy.groupWindow <= now)
        ripe = true;
      else
        earliest(d.wakeAt, *r.resolvedAt + policy.groupWindow);
      continue;
    }
    item.ackedNow = isAcked(acks, key, now);
    bool ackExpired = r.acknowledged && !item.ackedNow;
    r.acknowledged = item.ackedNow;
    if (item.ackedNow) {
      d.acknowledged.push_back(key);
      continue;
    }
    if (r.notifications == 0) {
      pending.emplace_back(&item, NoticeKind::Opened);
      if (r.openedAt + policy.groupWindow <= now)
        ripe = true;
      else
        earliest(d.wakeAt, r.openedAt + policy.groupWindow);
      continue;
    }
    auto interval = reminderInterval(policy.repeat, r.notifications);
    bool due = item.escalated || ackExpired ||
               (interval && r.lastNotifiedAt && *r.lastNotifiedAt + *interval <= now);
    if (due) {
      pending.emplace_back(&item, NoticeKind::Reminder);
      ripe = true;
    } else if (interval && r.lastNotifiedAt) {
      earliest(d.wakeAt, *r.lastNotifiedAt + *interval);
    }
  }

  if (ripe) {
    for (auto& [item, kind] : pending) {
      AlertRecord& r = item->rec;
      d.notices.push_back(Notice{kind, r.key, r.severity, r.openedAt});
      if (kind == NoticeKind::Resolved) {
        r.resolutionNotified = true;
      } else {
        r.notifications += 1;
        r.lastNotifiedAt = now;
        auto interval = reminderInterval(policy.repeat, r.notifications);
        if (interval) earliest(d.wakeAt, now + *interval);
      }
    }
  }

  for (auto& [key, item] : items) {
    AlertRecord& r = item.rec;
    if (item.ackedNow) {
      for (const auto& a : acks) {
        if (a.covers(key, now) && a.until) earliest(d.wakeAt, *a.until);
      }
    }
    if (r.resolvedAt && r.resolutionNotified) {
      TimePoint expiry = *r.resolvedAt + policy.resolvedRetention;
      if (expiry <= now) {
        d.dropped.push_back(key);
        continue;
      }
      earliest(d.wakeAt, expiry);
    }
    d.records.push_back(r);
  }
  return d;
}

std::vector<ActiveAlert> activeAlertsOf(const FleetView& view) {
  std::vector<ActiveAlert> out;
  for (const auto& dev : view.devices) {
    bool staleCovered = false;
    for (const auto& c : dev.conditions) {
      bool stale = c.id == kBackupStaleCondition;
      if (!stale && c.severity != Severity::Critical && c.id != kRemediationFailedCondition) {
        continue;
      }
      staleCovered = staleCovered || stale;
      out.push_back(ActiveAlert{AlertKey{dev.udid, c.id}, c.severity, c.since});
    }
    if (dev.backupState == BackupState::Stale && !staleCovered) {
      out.push_back(
          ActiveAlert{AlertKey{dev.udid, kBackupStaleCondition}, Severity::Warning, view.at});
    }
  }
  if (view.usbmuxdWedgedSince) {
    out.push_back(ActiveAlert{AlertKey{"", kUsbmuxdWedgedCondition}, Severity::Critical,
                              *view.usbmuxdWedgedSince});
  }
  return out;
}

const char* toString(NoticeKind k) {
  return enumName(std::array<const char*, 3>{"opened", "reminder", "resolved"}, k, "unknown");
}

}  // namespace ibackupmon

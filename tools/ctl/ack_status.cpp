// SPDX-License-Identifier: Apache-2.0
#include "ack_status.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/sanitize.h"
#include "core/time_format.h"

namespace ibackupmon::ctl {

std::map<std::string, DeviceAckSummary> summarizeAcks(const std::vector<AlertAck>& acks,
                                                      TimePoint now) {
  std::map<std::string, DeviceAckSummary> out;
  std::map<std::string, bool> everything, openEnded;
  std::map<std::string, TimePoint> newest;
  for (const auto& a : acks) {
    if (a.until && *a.until <= now) continue;  // expired: the daemon reminds again
    auto [it, fresh] = out.try_emplace(a.udid);
    DeviceAckSummary& s = it->second;
    if (a.condition.empty())
      everything[a.udid] = true;
    else
      s.conditions.push_back(a.condition);
    if (!a.until)
      openEnded[a.udid] = true;
    else if (!s.until || *a.until > *s.until)
      s.until = a.until;
    if (fresh || a.createdAt < s.since) s.since = a.createdAt;
    if (fresh || a.createdAt >= newest[a.udid]) {
      newest[a.udid] = a.createdAt;
      s.comment = a.comment;
    }
  }
  for (auto& [udid, s] : out) {
    if (everything[udid]) s.conditions.clear();
    if (openEnded[udid]) s.until.reset();
    std::sort(s.conditions.begin(), s.conditions.end());
  }
  return out;
}

nlohmann::json ackToStatusJson(const DeviceAckSummary* summary) {
  if (!summary) return nullptr;
  return nlohmann::json{
      {"until", summary->until ? nlohmann::json(formatRfc3339(*summary->until)) : nullptr},
      {"conditions", summary->conditions},
      {"since", formatRfc3339(summary->since)},
      {"comment", summary->comment}};
}

std::string renderAckLines(const std::vector<DeviceStatus>& fleet,
                           const std::map<std::string, DeviceAckSummary>& acks) {
  std::string out;
  for (const auto& [udid, s] : acks) {
    auto dev = std::find_if(fleet.begin(), fleet.end(),
                            [&](const DeviceStatus& d) { return d.udid == udid; });
    std::string what = "all conditions";
    if (!s.conditions.empty()) {
      what.clear();
      for (const auto& c : s.conditions) what += (what.empty() ? "" : ",") + c;
    }
    out += "  " + sanitizeDeviceString(udid);
    if (dev != fleet.end() && !dev->name.empty())
      out += " (" + sanitizeDeviceString(dev->name) + ")";
    out += "  " + what + "  " + (s.until ? "until " + formatRfc3339(*s.until) : "no expiry");
    if (!s.comment.empty()) out += "  " + sanitizeDeviceString(s.comment);
    out += "\n";
  }
  return out.empty() ? out : "Acknowledged (no reminders):\n" + out;
}

}  // namespace ibackupmon::ctl

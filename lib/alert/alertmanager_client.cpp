// SPDX-License-Identifier: Apache-2.0
#include "alert/alertmanager_client.h"

#include <nlohmann/json.hpp>

#include "alert/alert_email.h"
#include "alert/mime.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

std::string camel(const std::string& id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

nlohmann::json annotationsOf(const AlertRecord& r, const DeviceStatus* d, const std::string& host,
                             const std::string& dashboardUrl) {
  nlohmann::json a = nlohmann::json::object();
  if (r.key.udid.empty()) {  // a host-level alert (a wedged usbmuxd)
    a["summary"] = hostAlertLine(host, Notice{NoticeKind::Opened, r.key, r.severity, r.openedAt});
    if (!dashboardUrl.empty()) a["dashboard"] = dashboardUrl;
    return a;
  }
  std::string name = d ? cleanDeviceText(d->label.value_or(d->name), 200) : "";
  a["summary"] = r.key.condition + " on device " + (name.empty() ? r.key.udid : name) + " (" +
                 r.key.udid + ") on " + host;
  if (d) {
    for (const auto& c : d->conditions) {
      if (c.id != r.key.condition) continue;
      if (!c.summary.empty()) a["description"] = cleanDeviceText(c.summary, 2000);
      if (!c.fix.empty()) a["fix"] = cleanDeviceText(c.fix, 2000);
    }
    if (!name.empty()) a["device_name"] = name;
  }
  if (r.acknowledged) a["acknowledged"] = "true";
  if (!dashboardUrl.empty()) a["dashboard"] = dashboardUrl;
  return a;
}

}  // namespace

std::string alertNameFor(const std::string& condition) {
  if (condition == "icloud_backup_disabled") return "IbackupmonICloudBackupDisabled";
  return "Ibackupmon" + camel(condition);
}

std::string buildAlertmanagerPayload(const std::vector<AlertRecord>& records,
                                     const std::map<std::string, DeviceStatus>& devices,
                                     const std::string& host, const std::string& dashboardUrl,
                                     TimePoint now, Duration validFor) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) {
    auto it = devices.find(r.key.udid);
    const DeviceStatus* d = it == devices.end() ? nullptr : &it->second;
    nlohmann::json alert;
    alert["labels"] = {{"alertname", alertNameFor(r.key.condition)},
                       {"host", host},
                       {"udid", r.key.udid},
                       {"condition", r.key.condition},
                       {"severity", toString(r.severity)}};
    alert["annotations"] = annotationsOf(r, d, host, dashboardUrl);
    alert["startsAt"] = formatRfc3339(r.openedAt);
    alert["endsAt"] = formatRfc3339(r.resolvedAt ? *r.resolvedAt : now + validFor);
    if (!dashboardUrl.empty()) alert["generatorURL"] = dashboardUrl;
    out.push_back(std::move(alert));
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Expected<void> AlertmanagerClient::post(const std::string& payload) {
  std::string url = config_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v2/alerts";
  HttpOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout);
  options.maxRedirects = 0;
  auto reply = http_.postJson(url, payload, options);
  if (!reply) return tl::unexpected(reply.error());
  if (!isSuccess(*reply)) return tl::unexpected(httpStatusError("POST " + url, *reply));
  return {};
}

}  // namespace ibackupmon

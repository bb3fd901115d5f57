// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The Alertmanager channel ([alerts.alertmanager]): the alert state posted to /api/v2/alerts with
/// the labels of deploy/prometheus/ibackupmon.rules.yml (alertname, host, udid, condition,
/// severity), so alerts from Prometheus and from ibackupmond merge into one. Active alerts carry
/// endsAt = now + 4 x resend_interval and are re-posted every resend_interval (as Prometheus does);
/// resolved ones carry their resolution time.

#include <map>
#include <string>
#include <vector>

#include "alert/http_client.h"
#include "config/config.h"
#include "core/condition.h"
#include "store/alert_types.h"

namespace ibackupmon {

/// "IbackupmonBackupStale" for "backup_stale": the Prometheus rule's name where one exists.
std::string alertNameFor(const std::string& condition);

/// The v2 JSON array for these records. devices (by UDID) supply the annotations.
std::string buildAlertmanagerPayload(const std::vector<AlertRecord>& records,
                                     const std::map<std::string, DeviceStatus>& devices,
                                     const std::string& host, const std::string& dashboardUrl,
                                     TimePoint now, Duration validFor);

class AlertmanagerClient {
 public:
  AlertmanagerClient(HttpClient& http, AlertmanagerConfig config)
      : http_(http), config_(std::move(config)) {}
  /// Blocking POST of a payload from buildAlertmanagerPayload. Errors: the HTTP client's, or
  /// "http_status" naming the URL and the reply.
  Expected<void> post(const std::string& payload);

 private:
  HttpClient& http_;
  AlertmanagerConfig config_;
};

}  // namespace ibackupmon

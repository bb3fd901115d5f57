// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daemon's alerting: AlertRepository (own connection to [storage] path), SMTP mailer,
/// Alertmanager client, AlertEngine (registered in AppContext::fleetObservers) and the
/// control-socket commands ack, unack and acks (AppContext::commands, open to every peer that can
/// connect). One line in componentTable(), after the store and metrics, before the monitor:
///
///   [](AppContext& ctx) { return std::make_unique<AlertsComponent>(ctx); },

#include <memory>

#include "alert/http_client.h"
#include "app/alert_engine.h"
#include "app/component.h"

namespace ibackupmon {

/// Engine options from the config: [alerts] with the host name resolved.
AlertEngineOptions alertEngineOptions(const Config& config);

class AlertsComponent final : public Component {
 public:
  /// metrics: the exporter's AlertMetrics, or nullptr (then counts go nowhere).
  explicit AlertsComponent(AppContext& ctx, AlertMetrics* metrics = nullptr);
  ~AlertsComponent() override;

  std::string_view name() const override { return "alerts"; }
  Expected<void> start() override;
  void applyConfig(const Config& config) override;
  void stop() override;

  AlertEngine* engine() { return engine_.get(); }

 private:
  AppContext& ctx_;
  SystemClock clock_;
  NullAlertMetrics nullMetrics_;
  AlertMetrics* metrics_;
  std::unique_ptr<AlertRepository> repo_;
  std::unique_ptr<ActionRepository> actions_;
  Expected<void> makeChannels(const AlertsConfig& alerts);

  std::unique_ptr<CurlHttpClient> http_;
  AlertsConfig channelsConfig_;  ///< the [alerts.email] / [alerts.alertmanager] in use
  std::shared_ptr<Mailer> mailer_;
  std::shared_ptr<AlertmanagerClient> alertmanager_;
  std::unique_ptr<AlertEngine> engine_;
  Expected<void> addCommands();
};

}  // namespace ibackupmon

#include "app/alert_component.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ibackupmon {

AlertEngineOptions alertEngineOptions(const Config& config) {
  AlertEngineOptions o;
  o.alerts = config.alerts;
  o.host = alertHostName(config.alerts);
  return o;
}

AlertsComponent::AlertsComponent(AppContext& ctx, AlertMetrics* metrics)
    : ctx_(ctx), metrics_(metrics ? metrics : &nullMetrics_) {}

AlertsComponent::~AlertsComponent() = default;

Expected<void> AlertsComponent::start() {
  const Config& c = ctx_.config();
  auto repo = AlertRepository::open(c.storage.path);
  if (!repo) return tl::unexpected(repo.error());
  repo_ = std::make_unique<AlertRepository>(std::move(*repo));
  if (!c.alerts.email.smtpUrl.empty()) {
    auto mailer = SmtpMailer::create(c.alerts.email);
    if (!mailer) return tl::unexpected(mailer.error());
    mailer_ = std::move(*mailer);
  }
  if (!c.alerts.alertmanager.url.empty()) {
    http_ = std::make_unique<CurlHttpClient>();
    alertmanager_ = std::make_unique<AlertmanagerClient>(*http_, c.alerts.alertmanager);
  }
  engine_ = std::make_unique<AlertEngine>(ctx_.io, clock_, *repo_, mailer_.get(),
                                          alertmanager_.get(), *metrics_, alertEngineOptions(c));
  if (auto ok = engine_->start(); !ok) return ok;
  ctx_.fleetObservers.push_back(engine_.get());
  control_ = std::make_unique<ControlServer>(
      ctx_.io, c.alerts.controlSocket,
      [engine = engine_.get()](std::string line, std::function<void(std::string)> reply) {
        engine->handleControl(std::move(line), std::move(reply));
      });
  // Without the socket only ack/unack are unavailable: alerting itself must keep running.
  if (auto ok = control_->start(); !ok) {
    spdlog::warn("{}; ibackupmonctl ack/unack will not work", ok.error().message);
  }
  spdlog::info("alerts: email {}, Alertmanager {}, host \"{}\"",
               mailer_ ? c.alerts.email.smtpUrl : "off",
               alertmanager_ ? c.alerts.alertmanager.url : "off", alertHostName(c.alerts));
  return {};
}

void AlertsComponent::applyConfig(const Config& config) {
  if (engine_) engine_->applyOptions(alertEngineOptions(config));
}

void AlertsComponent::stop() {
  if (control_) control_->stop();
  if (engine_) {
    auto& obs = ctx_.fleetObservers;
    obs.erase(std::remove(obs.begin(), obs.end(), engine_.get()), obs.end());
    engine_->stop();
  }
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/alert_component.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/control_commands.h"
#include "store/store.h"

namespace ibackupmon {

AlertEngineOptions alertEngineOptions(const Config& config) {
  AlertEngineOptions o;
  o.alerts = config.alerts;
  o.host = alertHostName(config.alerts);
  o.digest = config.remediation.digest;
  return o;
}

AlertsComponent::AlertsComponent(AppContext& ctx, AlertMetrics* metrics)
    : ctx_(ctx), metrics_(metrics ? metrics : &nullMetrics_) {}

AlertsComponent::~AlertsComponent() = default;

Expected<void> AlertsComponent::start() {
  const Config& c = ctx_.config();
  auto repo = AlertRepository::open(c.storage.path, kDaemonBusyTimeout);
  if (!repo) return tl::unexpected(repo.error());
  repo_ = std::make_unique<AlertRepository>(std::move(*repo));
  // The audit trail, read for the last action in a device's mail and for the daily digest.
  auto actions = ActionRepository::open(c.storage.path, kDaemonBusyTimeout);
  if (!actions) return tl::unexpected(actions.error());
  actions_ = std::make_unique<ActionRepository>(std::move(*actions));
  http_ = std::make_unique<CurlHttpClient>();
  if (auto ok = makeChannels(c.alerts); !ok) return ok;
  engine_ =
      std::make_unique<AlertEngine>(ctx_.io, clock_, *repo_, mailer_.get(), alertmanager_.get(),
                                    *metrics_, alertEngineOptions(c), actions_.get());
  engine_->replaceChannels(mailer_, alertmanager_);  // the engine co-owns them from now on
  if (auto ok = engine_->start(); !ok) return ok;
  if (auto ok = addCommands(); !ok) {
    engine_->stop();
    return ok;
  }
  ctx_.fleetObservers.push_back(engine_.get());
  spdlog::info("alerts: email {}, Alertmanager {}, host \"{}\"",
               mailer_ ? c.alerts.email.smtpUrl : "off",
               alertmanager_ ? c.alerts.alertmanager.url : "off", alertHostName(c.alerts));
  return {};
}

// ack, unack and acks: every peer that can connect to the control socket (root and group
// ibackupmon) may run them. The engine parses the request's arguments and replies on its strand.
Expected<void> AlertsComponent::addCommands() {
  if (!ctx_.commands) return {};
  for (const char* name : {"ack", "unack", "acks"}) {
    auto ok = ctx_.commands->add(name, ControlAccess::AnyPeer,
                                 [engine = engine_.get()](ControlRequest req, ControlReply reply) {
                                   engine->handleControl(std::move(req.line), std::move(reply));
                                 });
    if (!ok) return ok;
  }
  return {};
}

Expected<void> AlertsComponent::makeChannels(const AlertsConfig& alerts) {
  std::shared_ptr<Mailer> mailer;
  if (!alerts.email.smtpUrl.empty()) {
    auto made = SmtpMailer::create(alerts.email);
    if (!made) return tl::unexpected(made.error());
    mailer = std::move(*made);
  }
  std::shared_ptr<AlertmanagerClient> alertmanager;
  if (!alerts.alertmanager.url.empty()) {
    alertmanager = std::make_shared<AlertmanagerClient>(*http_, alerts.alertmanager);
  }
  mailer_ = std::move(mailer);
  alertmanager_ = std::move(alertmanager);
  channelsConfig_ = alerts;
  return {};
}

void AlertsComponent::applyConfig(const Config& config) {
  if (!engine_) return;
  engine_->applyOptions(alertEngineOptions(config));
  const AlertsConfig& next = config.alerts;
  if (next.email == channelsConfig_.email && next.alertmanager == channelsConfig_.alertmanager) {
    return;
  }
  // SMTP and Alertmanager settings apply live (docs/configuration.md). A mailer that cannot be
  // built (e.g. an unreadable password_file) keeps both channels as they were.
  if (auto ok = makeChannels(next); !ok) {
    spdlog::error("alerts: keeping the previous email and Alertmanager settings: {}",
                  ok.error().message);
    return;
  }
  engine_->replaceChannels(mailer_, alertmanager_);
  spdlog::info("alerts: now email {}, Alertmanager {}", mailer_ ? next.email.smtpUrl : "off",
               alertmanager_ ? next.alertmanager.url : "off");
}

void AlertsComponent::stop() {
  if (engine_) {
    auto& obs = ctx_.fleetObservers;
    obs.erase(std::remove(obs.begin(), obs.end(), engine_.get()), obs.end());
    engine_->stop();
  }
}

}  // namespace ibackupmon

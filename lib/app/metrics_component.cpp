// SPDX-License-Identifier: Apache-2.0
#include "app/metrics_component.h"

#include <spdlog/spdlog.h>

#include "diagnosis/condition_catalog.h"

namespace ibackupmon {

MetricsExporterOptions metricsExporterOptions() {
  MetricsExporterOptions options;
  for (const auto& def : conditionCatalog()) options.conditionIds.push_back(def.id);
  return options;
}

MetricsServerOptions metricsServerOptions(const MetricsConfig& config) {
  MetricsServerOptions options;
  options.listen = config.listen;
  options.basicAuthUser = config.basicAuthUser;
  options.basicAuthPasswordFile = config.basicAuthPasswordFile;
  return options;
}

namespace {

// The URL as a scraper would type it: the configured host with the bound port (which differs
// when listen asked for port 0).
std::string metricsUrl(const std::string& listen, std::uint16_t port) {
  const auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host == "0.0.0.0") host = "127.0.0.1";
  return "http://" + host + ":" + std::to_string(port) + "/metrics";
}

}  // namespace

MetricsComponent::~MetricsComponent() {
  // Order matters: the server's render threads read the exporter until it has stopped.
  server_.reset();
  exporter_.reset();
}

Expected<void> MetricsComponent::start() {
  const Config& config = ctx_.config();
  exporter_ = std::make_unique<MetricsExporter>(metricsExporterOptions());
  auto server = MetricsServer::start(metricsServerOptions(config.metrics), *exporter_);
  if (!server) return makeError(server.error().code, "[metrics] " + server.error().message);
  server_ = std::move(*server);
  const std::string url = metricsUrl(config.metrics.listen, server_->port());
  spdlog::info("metrics on {}{}", url, config.metrics.basicAuthUser ? " (basic auth)" : "");
  ctx_.fleetObservers.push_back(exporter_.get());
  ctx_.alertMetrics = exporter_.get();
  ctx_.feedObservers.push_back(exporter_.get());
  return {};
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#include "app/feeds_component.h"

#include <spdlog/spdlog.h>

#include "app/feed_poller_facts.h"

namespace ibackupmon {

void FeedFactsCache::attach(const AppleStatusPoller* apple, const IosCatalogPoller* catalog) {
  std::lock_guard lock(mutex_);
  apple_ = apple;
  catalog_ = catalog;
  if (apple_ != nullptr) statusMaxAge_ = apple_->maxAge();
}

void FeedFactsCache::onAppleStatus(const AppleStatusReport& report) {
  std::lock_guard lock(mutex_);
  // The poller has just stored this report; keep its shared copy rather than copying it again.
  if (apple_ != nullptr) status_ = apple_->current(report.fetchedAt);
}

void FeedFactsCache::onFeedSuccess(std::string_view feed, TimePoint /*at*/) {
  if (feed != kFeedIosCatalog) return;
  std::lock_guard lock(mutex_);
  if (catalog_ != nullptr) versions_ = catalog_->current();
}

ExternalFacts FeedFactsCache::factsFor(const std::optional<std::string>& productType,
                                       TimePoint now) const {
  std::shared_ptr<const AppleStatusReport> status;
  std::shared_ptr<const IosCatalog> versions;
  {
    std::lock_guard lock(mutex_);
    status = status_;
    versions = versions_;
  }
  // A report older than its max age says nothing about now: no outage known, not "none".
  if (status && now - status->fetchedAt > statusMaxAge_) status.reset();
  return externalFactsFor(status.get(), versions.get(), productType, now);
}

FeedsComponent::FeedsComponent(AppContext& ctx)
    : ctx_(ctx), strand_(boost::asio::make_strand(ctx.io)) {}

FeedsComponent::~FeedsComponent() {
  stopPollers();
  if (ctx_.externalFacts == &facts_) ctx_.externalFacts = nullptr;
}

Expected<void> FeedsComponent::start() {
  ctx_.externalFacts = &facts_;
  startPollers(ctx_.config());
  return {};
}

void FeedsComponent::startPollers(const Config& config) {
  appleConfig_ = config.appleStatus;
  iosConfig_ = config.ios;
  std::vector<FeedObserver*> observers = ctx_.feedObservers;
  observers.push_back(&facts_);
  apple_ = std::make_unique<AppleStatusPoller>(strand_, http_, appleConfig_, clock_, observers);
  catalog_ = std::make_unique<IosCatalogPoller>(strand_, http_, iosConfig_, clock_, observers);
  facts_.attach(apple_.get(), catalog_.get());
  if (apple_->enabled()) spdlog::info("feeds: polling Apple status at {}", appleConfig_.url);
  if (catalog_->enabled()) spdlog::info("feeds: polling iOS catalog at {}", *iosConfig_.catalogUrl);
  apple_->start();
  catalog_->start();
}

void FeedsComponent::stopPollers() {
  if (apple_) apple_->stop();
  if (catalog_) catalog_->stop();
  facts_.attach(nullptr, nullptr);
  apple_.reset();
  catalog_.reset();
}

void FeedsComponent::applyConfig(const Config& config) {
  if (config.appleStatus == appleConfig_ && config.ios == iosConfig_) return;
  spdlog::info("feeds: [apple_status] or [ios] changed; restarting the pollers");
  // Pollers are built and destroyed on the strand (feed_poller.h); the reload runs on the loop's
  // only thread, so posting keeps that promise without waiting here.
  boost::asio::post(strand_, [this, config] {
    if (stopped_) return;
    stopPollers();
    startPollers(config);
  });
}

void FeedsComponent::stop() {
  stopped_ = true;
  stopPollers();
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The outside feeds in the daemon: the Apple System Status and iOS catalog pollers (each only
/// when its URL is set), reporting to ctx.feedObservers (the metrics exporter) and publishing
/// their latest results as ctx.externalFacts for the monitor's diagnosis. One line in
/// componentTable(), after metrics, before the monitor.

#include <memory>
#include <mutex>

#include "alert/http_client.h"
#include "app/component.h"
#include "app/external_facts.h"
#include "app/feed_pollers.h"

namespace ibackupmon {

/// The feeds' latest good results, readable from any thread. Fed on the feeds' strand as a
/// FeedObserver; the monitor reads it as an ExternalFactsProvider.
class FeedFactsCache final : public FeedObserver, public ExternalFactsProvider {
 public:
  void onFeedSuccess(std::string_view feed, TimePoint at) override;
  void onFeedError(std::string_view /*feed*/, const Error& /*error*/) override {}
  void onAppleStatus(const AppleStatusReport& report) override;
  ExternalFacts factsFor(const std::optional<std::string>& productType,
                         TimePoint now) const override;

  /// Where the results come from; set before the pollers start, cleared after they stop.
  void attach(const AppleStatusPoller* apple, const IosCatalogPoller* catalog);

 private:
  mutable std::mutex mutex_;
  const AppleStatusPoller* apple_ = nullptr;
  const IosCatalogPoller* catalog_ = nullptr;
  std::shared_ptr<const AppleStatusReport> status_;
  std::chrono::seconds statusMaxAge_{0};
  std::shared_ptr<const IosCatalog> versions_;
};

class FeedsComponent final : public Component {
 public:
  explicit FeedsComponent(AppContext& ctx);
  ~FeedsComponent() override;
  std::string_view name() const override { return "feeds"; }
  Expected<void> start() override;
  /// A changed [apple_status] or [ios] restarts the pollers with the new settings.
  void applyConfig(const Config& config) override;
  void stop() override;

 private:
  void startPollers(const Config& config);
  void stopPollers();

  AppContext& ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  SystemClock clock_;
  CurlHttpClient http_;
  FeedFactsCache facts_;
  AppleStatusConfig appleConfig_;
  IosConfig iosConfig_;
  std::unique_ptr<AppleStatusPoller> apple_;
  std::unique_ptr<IosCatalogPoller> catalog_;
  bool stopped_ = false;
};

}  // namespace ibackupmon

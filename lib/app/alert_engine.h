// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Runs the alert policy on every fleet change, writes what it decides (state + message) to the
/// store in one transaction, and delivers the outbox: email through a Mailer on a worker thread
/// with retries and backoff, Alertmanager re-posts every resend_interval. All state lives on one
/// strand; onFleetStatus may be called from any thread.
///
///   AlertEngine engine(io, clock, repo, mailer.get(), am.get(), metrics, options);
///   engine.start();                 // loads state, delivers what a previous run left behind
///   monitor.addObserver(&engine);   // or AppContext::fleetObservers
///   ... engine.stop();              // before io_context::run() can return

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_email.h"
#include "alert/alertmanager_client.h"
#include "alert/policy.h"
#include "alert/smtp_mailer.h"
#include "app/asio.h"
#include "core/fleet_observer.h"
#include "metrics/alert_metrics.h"
#include "store/action_repository.h"
#include "store/alert_repository.h"

namespace ibackupmon {

struct AlertEngineOptions {
  AlertsConfig alerts;
  std::string host;                                  ///< alertHostName(alerts)
  Duration retryInitial = std::chrono::seconds(30);  ///< first retry delay, doubled per attempt
  Duration retryMax = std::chrono::minutes(15);
  Duration keepSent = std::chrono::hours(24 * 30);  ///< delivered messages kept for inspection
  bool digest = false;  ///< [remediation] digest: the daily "what ibackupmon did" mail
};

class AlertEngine final : public FleetObserver {
 public:
  /// mailer and alertmanager may be null (channel off); all references must outlive the engine.
  /// actions (the audit trail, on a connection of its own) may be null: alert mails then carry
  /// no note of the last action and no digest is sent.
  AlertEngine(boost::asio::io_context& io, const Clock& clock, AlertRepository& repo,
              Mailer* mailer, AlertmanagerClient* alertmanager, AlertMetrics& metrics,
              AlertEngineOptions options, ActionRepository* actions = nullptr);
  ~AlertEngine() override;
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  /// Loads alert state and acks, then starts delivering the outbox. Call before io runs.
  Expected<void> start();
  /// Cancels timers; a send in progress finishes on its worker (bounded by the SMTP timeout).
  void stop();
  /// Reloaded [alerts] keys (policy, addresses, dashboard); posted to the strand.
  void applyOptions(AlertEngineOptions options);
  /// Reloaded [alerts.email] / [alerts.alertmanager]: later deliveries use these (null = off).
  /// A send already running finishes with the channel it started with.
  void replaceChannels(std::shared_ptr<Mailer> mailer,
                       std::shared_ptr<AlertmanagerClient> alertmanager);

  void onFleetStatus(const FleetView& view) override;

  /// One line of the control protocol (JSON) in, one JSON reply out through `reply` (called on
  /// the engine's strand). Commands: ack, unack, acks; AlertsComponent registers them with the
  /// application's CommandDispatcher, which hands their requests here.
  void handleControl(std::string line, std::function<void(std::string)> reply);

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  void evaluate();
  std::optional<OutboxMessage> composeEmail(const Decision& d);
  void scheduleWake(std::optional<TimePoint> at);
  void deliverNext();
  void onDelivered(std::int64_t id, int attempts, Expected<void> result);
  /// Writes unrecorded_ to the outbox; false while the database refuses it.
  bool recordOutcome();
  void postAlertmanager();
  void reportDepth();
  /// Arms the digest timer for the next 07:00 local after the last digest (or sends a late one).
  void planDigest();
  void sendDigest();
  /// The start of the period the next digest covers; nullopt = none sent yet.
  std::optional<TimePoint> digestFrom();
  std::string control(const std::string& line);
  void armTimer(boost::asio::steady_timer& timer, TimePoint at, void (AlertEngine::*fn)());

  boost::asio::io_context& io_;
  Strand strand_;
  const Clock& clock_;
  AlertRepository& repo_;
  // Shared with the worker running a send, so a reload can swap them meanwhile.
  std::shared_ptr<Mailer> mailer_;
  std::shared_ptr<AlertmanagerClient> alertmanager_;
  AlertMetrics& metrics_;
  AlertEngineOptions options_;
  AlertPolicy policy_;

  std::vector<AlertRecord> records_;
  std::vector<AlertAck> acks_;
  std::optional<FleetView> view_;  ///< nothing is decided before the monitor's first view
  boost::asio::steady_timer wakeTimer_;
  boost::asio::steady_timer deliveryTimer_;
  boost::asio::steady_timer alertmanagerTimer_;
  ActionRepository* actions_;
  boost::asio::steady_timer digestTimer_;
  // Until when the audit trail was found empty for a digest (none sent for that period).
  std::optional<TimePoint> digestCheckedUntil_;
  TimePoint digestDue_{};  ///< the hour the digest timer was armed for
  bool sending_ = false;
  // The outcome of the last send while the outbox has not taken it (database locked or full):
  // nothing else is sent before it is recorded, so a sent message is never sent again for it.
  struct Outcome {
    std::int64_t id = 0;
    bool sent = false;
    TimePoint at{};
    std::string error;        // not sent: why
    TimePoint nextAttempt{};  // not sent: when to try again
  };
  std::optional<Outcome> unrecorded_;
  bool posting_ = false;
  bool repost_ = false;
  bool stopped_ = false;
  boost::asio::thread_pool workers_{2};  ///< blocking SMTP and HTTP calls
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace ibackupmon

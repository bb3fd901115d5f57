// SPDX-License-Identifier: Apache-2.0
#include "app/alert_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "alert/action_digest.h"
#include "alert/mime.h"
#include "core/local_time.h"

namespace ibackupmon {
namespace {

constexpr int kMaxBackoffShift = 16;
// A send's outcome the outbox refused (database locked or full) is written again this often.
constexpr auto kRecordRetry = std::chrono::seconds(2);

Duration backoff(const AlertEngineOptions& o, int attempts) {
  auto d = o.retryInitial * (1 << std::clamp(attempts - 1, 0, kMaxBackoffShift));
  return std::min<Duration>(d, o.retryMax);
}

bool sameRecords(const std::vector<AlertRecord>& a, const std::vector<AlertRecord>& b) {
  auto fields = [](const AlertRecord& r) {
    return std::tie(r.key, r.severity, r.openedAt, r.resolvedAt, r.lastNotifiedAt, r.notifications,
                    r.resolutionNotified, r.acknowledged);
  };
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [&](const AlertRecord& x, const AlertRecord& y) { return fields(x) == fields(y); });
}

std::map<std::string, DeviceStatus> byUdid(const std::optional<FleetView>& view) {
  std::map<std::string, DeviceStatus> out;
  if (view) {
    for (const auto& d : view->devices) out[d.udid] = d;
  }
  return out;
}

}  // namespace

AlertEngine::AlertEngine(boost::asio::io_context& io, const Clock& clock, AlertRepository& repo,
                         Mailer* mailer, AlertmanagerClient* alertmanager, AlertMetrics& metrics,
                         AlertEngineOptions options, ActionRepository* actions)
    : io_(io),
      strand_(boost::asio::make_strand(io)),
      clock_(clock),
      repo_(repo),
      // Non-owning: the caller keeps these alive (aliasing constructor, empty control block).
      mailer_(std::shared_ptr<Mailer>(), mailer),
      alertmanager_(std::shared_ptr<AlertmanagerClient>(), alertmanager),
      metrics_(metrics),
      options_(std::move(options)),
      policy_(AlertPolicy::fromConfig(options_.alerts)),
      wakeTimer_(strand_),
      deliveryTimer_(strand_),
      alertmanagerTimer_(strand_),
      actions_(actions),
      digestTimer_(strand_) {}

AlertEngine::~AlertEngine() {
  *alive_ = false;
  workers_.join();  // a send in progress ends within the SMTP/HTTP timeout
}

Expected<void> AlertEngine::start() {
  auto records = repo_.loadAlerts();
  if (!records) return tl::unexpected(records.error());
  auto acks = repo_.loadAcks();
  if (!acks) return tl::unexpected(acks.error());
  records_ = std::move(*records);
  acks_ = std::move(*acks);
  boost::asio::post(strand_, [this] {
    reportDepth();
    deliverNext();
    postAlertmanager();
    planDigest();
  });
  return {};
}

void AlertEngine::stop() {
  boost::asio::dispatch(strand_, [this] {
    stopped_ = true;
    wakeTimer_.cancel();
    deliveryTimer_.cancel();
    alertmanagerTimer_.cancel();
    digestTimer_.cancel();
  });
}

void AlertEngine::applyOptions(AlertEngineOptions options) {
  boost::asio::post(strand_, [this, options = std::move(options)]() mutable {
    options_ = std::move(options);
    policy_ = AlertPolicy::fromConfig(options_.alerts);
    evaluate();
    planDigest();
  });
}

void AlertEngine::replaceChannels(std::shared_ptr<Mailer> mailer,
                                  std::shared_ptr<AlertmanagerClient> alertmanager) {
  boost::asio::post(strand_, [this, mailer = std::move(mailer),
                              alertmanager = std::move(alertmanager)]() mutable {
    mailer_ = std::move(mailer);
    alertmanager_ = std::move(alertmanager);
    if (stopped_) return;
    // A message waiting for its retry keeps its backoff; then it goes to the new server.
    deliverNext();
    postAlertmanager();
    planDigest();
  });
}

void AlertEngine::onFleetStatus(const FleetView& view) {
  boost::asio::post(strand_, [this, view] {
    view_ = view;
    evaluate();
  });
}

void AlertEngine::evaluate() {
  if (stopped_ || !view_) return;
  TimePoint now = clock_.now();
  Decision d = decide(records_, activeAlertsOf(*view_), acks_, policy_, now);
  std::optional<OutboxMessage> message;
  if (!d.notices.empty() && mailer_) message = composeEmail(d);
  bool changed = d.records.size() != records_.size() || !d.dropped.empty() || !d.notices.empty();
  if (!changed && sameRecords(d.records, records_)) {
    // Already what the database holds: no write, so a locked database costs no wait here.
    scheduleWake(d.wakeAt);
    return;
  }
  auto committed = repo_.commitDecision(d.records, d.dropped, message);
  if (!committed) {
    // Nothing was recorded, so nothing is lost: the same decision is taken again next time.
    spdlog::error("alerts: cannot record alert state: {}", committed.error().message);
    scheduleWake(now + options_.retryInitial);
    return;
  }
  records_ = std::move(d.records);
  if (message) {
    spdlog::info("alerts: queued email {} \"{}\"", message->messageId, message->subject);
    reportDepth();
    deliverNext();
  }
  if (changed) postAlertmanager();
  scheduleWake(d.wakeAt);
}

std::optional<OutboxMessage> AlertEngine::composeEmail(const Decision& d) {
  TimePoint now = clock_.now();
  auto devices = byUdid(view_);
  AlertEmailContent content;
  content.host = options_.host;
  content.now = now;
  content.dashboardUrl = options_.alerts.dashboardUrl;
  auto deviceOf = [&](const std::string& udid) {
    auto it = devices.find(udid);
    if (it != devices.end()) return it->second;
    DeviceStatus gone;
    gone.udid = udid;
    return gone;
  };
  std::map<std::string, std::size_t> slot;
  for (const auto& n : d.notices) {
    if (n.key.udid.empty()) {  // about the host itself (a wedged usbmuxd)
      content.hostNotices.push_back(n);
      continue;
    }
    auto [it, fresh] = slot.try_emplace(n.key.udid, content.devices.size());
    if (fresh) content.devices.push_back(AlertEmailDevice{deviceOf(n.key.udid), {}, std::nullopt});
    content.devices[it->second].notices.push_back(n);
  }
  if (actions_) {
    for (auto& e : content.devices) {
      auto last = actions_->lastFinished(e.device.udid);
      if (!last) {
        // The mail goes out without the note rather than not at all.
        spdlog::warn("alerts: cannot read the last action on {}: {}", e.device.udid,
                     last.error().message);
      } else if (*last) {
        e.notes.push_back(actionNote(**last));
      }
    }
  }
  std::map<std::string, bool> listed;
  for (const auto& key : d.acknowledged) {
    if (listed[key.udid]) continue;
    listed[key.udid] = true;
    AlertEmailDevice e{deviceOf(key.udid), {}, std::nullopt};
    for (const auto& a : acks_) {
      if (a.covers(key, now)) e.ack = a;
    }
    content.acknowledged.push_back(std::move(e));
  }
  RenderedEmail email = renderAlertEmail(content);
  OutboxMessage m;
  m.messageId = makeMessageId(options_.host, now);
  m.channel = std::string(kAlertChannelEmail);
  m.kind = "alert";
  m.subject = email.subject;
  m.payload = assembleMessage(
      MailHeaders{options_.alerts.email.from, options_.alerts.email.to, m.messageId, now}, email);
  m.createdAt = now;
  m.nextAttemptAt = now;
  return m;
}

void AlertEngine::armTimer(boost::asio::steady_timer& timer, TimePoint at,
                           void (AlertEngine::*fn)()) {
  auto delay = std::max<std::chrono::system_clock::duration>(at - clock_.now(), {});
  timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
  timer.async_wait([this, fn](boost::system::error_code ec) {
    if (!ec && !stopped_) (this->*fn)();
  });
}

void AlertEngine::scheduleWake(std::optional<TimePoint> at) {
  if (stopped_) return;
  if (!at) {
    wakeTimer_.cancel();
    return;
  }
  armTimer(wakeTimer_, *at, &AlertEngine::evaluate);
}

void AlertEngine::deliverNext() {
  if (stopped_ || sending_) return;
  if (!recordOutcome()) {
    armTimer(deliveryTimer_, clock_.now() + kRecordRetry, &AlertEngine::deliverNext);
    return;
  }
  if (!mailer_) return;
  auto due = repo_.due(clock_.now(), 1);
  if (!due) {
    spdlog::error("alerts: cannot read the outbox: {}", due.error().message);
    armTimer(deliveryTimer_, clock_.now() + options_.retryInitial, &AlertEngine::deliverNext);
    return;
  }
  if (due->empty()) {
    auto next = repo_.nextAttemptAt();
    if (next && *next) armTimer(deliveryTimer_, **next, &AlertEngine::deliverNext);
    return;
  }
  OutboxMessage m = std::move(due->front());
  sending_ = true;
  boost::asio::post(workers_, [this, alive = alive_, mailer = mailer_, m = std::move(m)] {
    Expected<void> result = mailer->send(m.payload);
    if (!*alive) return;
    boost::asio::post(strand_, [this, alive, id = m.id, attempts = m.attempts, result] {
      if (*alive) onDelivered(id, attempts, result);
    });
  });
}

void AlertEngine::onDelivered(std::int64_t id, int attempts, Expected<void> result) {
  sending_ = false;
  TimePoint now = clock_.now();
  if (result) {
    metrics_.alertSent(kAlertChannelEmail);
    unrecorded_ = Outcome{id, true, now, {}, {}};
  } else {
    metrics_.alertFailed(kAlertChannelEmail);
    Duration wait = backoff(options_, attempts + 1);
    spdlog::warn("alerts: email {} not delivered (attempt {}), retrying in {}s: {}", id,
                 attempts + 1, wait.count(), result.error().message);
    unrecorded_ = Outcome{id, false, now, result.error().message, now + wait};
  }
  deliverNext();
}

bool AlertEngine::recordOutcome() {
  if (!unrecorded_) return true;
  const Outcome& o = *unrecorded_;
  auto ok = o.sent ? repo_.markSent(o.id, o.at) : repo_.markFailed(o.id, o.error, o.nextAttempt);
  if (!ok) {
    spdlog::error("alerts: email {} {} but not recorded yet (retrying in {}s): {}", o.id,
                  o.sent ? "sent" : "not delivered",
                  std::chrono::duration_cast<std::chrono::seconds>(kRecordRetry).count(),
                  ok.error().message);
    return false;
  }
  if (o.sent) repo_.pruneSent(o.at - options_.keepSent);
  unrecorded_.reset();
  reportDepth();
  return true;
}

void AlertEngine::postAlertmanager() {
  if (stopped_ || !alertmanager_) return;
  if (posting_) {
    repost_ = true;  // state changed during a post: post again as soon as it ends
    return;
  }
  repost_ = false;
  TimePoint now = clock_.now();
  Duration resend = options_.alerts.alertmanager.resendInterval;
  std::string payload = buildAlertmanagerPayload(records_, byUdid(view_), options_.host,
                                                 options_.alerts.dashboardUrl, now, 4 * resend);
  posting_ = true;
  boost::asio::post(
      workers_, [this, alive = alive_, client = alertmanager_, payload = std::move(payload)] {
        Expected<void> result = client->post(payload);
        if (!*alive) return;
        boost::asio::post(strand_, [this, alive, result] {
          if (!*alive) return;
          posting_ = false;
          if (result) {
            metrics_.alertSent(kAlertChannelAlertmanager);
          } else {
            metrics_.alertFailed(kAlertChannelAlertmanager);
            spdlog::warn("alerts: Alertmanager post failed: {}", result.error().message);
          }
          if (repost_) {
            postAlertmanager();
            return;
          }
          armTimer(alertmanagerTimer_, clock_.now() + options_.alerts.alertmanager.resendInterval,
                   &AlertEngine::postAlertmanager);
        });
      });
}

void AlertEngine::reportDepth() {
  if (auto depth = repo_.outboxDepth()) metrics_.setOutboxDepth(static_cast<std::size_t>(*depth));
}

std::optional<TimePoint> AlertEngine::digestFrom() {
  auto last = repo_.lastCreated(kDigestKind);
  if (!last) {
    spdlog::warn("alerts: cannot read when the last digest was sent: {}", last.error().message);
    return digestCheckedUntil_;
  }
  std::optional<TimePoint> from = *last;
  if (digestCheckedUntil_ && (!from || *digestCheckedUntil_ > *from)) from = digestCheckedUntil_;
  return from;
}

void AlertEngine::planDigest() {
  digestTimer_.cancel();
  if (stopped_ || !actions_ || !options_.digest || !mailer_) return;
  const TimePoint now = clock_.now();
  const auto from = digestFrom();
  const TimePoint due = nextLocalHour(from.value_or(now), kDigestHour);
  if (due <= now) {  // the daemon was not running at the hour: send it now
    digestDue_ = now;
    sendDigest();
    return;
  }
  digestDue_ = due;
  armTimer(digestTimer_, due, &AlertEngine::sendDigest);
}

void AlertEngine::sendDigest() {
  if (stopped_ || !actions_ || !options_.digest || !mailer_) return;
  // A timer may fire a moment before the wall clock reads the hour it was armed for.
  const TimePoint now = std::max(clock_.now(), digestDue_);
  const TimePoint from = digestFrom().value_or(now - std::chrono::hours(24));
  auto records = actions_->since(from);
  if (!records) {
    spdlog::error("alerts: cannot read the audit trail for the digest (retrying in {}s): {}",
                  std::chrono::duration_cast<std::chrono::seconds>(options_.retryInitial).count(),
                  records.error().message);
    armTimer(digestTimer_, now + options_.retryInitial, &AlertEngine::sendDigest);
    return;
  }
  if (records->empty()) {  // nothing done: no mail
    digestCheckedUntil_ = now;
    planDigest();
    return;
  }
  DigestContent content{options_.host, from, now, std::move(*records), byUdid(view_)};
  RenderedEmail email = renderActionDigest(content);
  OutboxMessage m;
  m.messageId = makeMessageId(options_.host, now);
  m.channel = std::string(kAlertChannelEmail);
  m.kind = kDigestKind;
  m.subject = email.subject;
  m.payload = assembleMessage(
      MailHeaders{options_.alerts.email.from, options_.alerts.email.to, m.messageId, now}, email);
  m.createdAt = now;
  m.nextAttemptAt = clock_.now();
  if (auto id = repo_.enqueue(m); !id) {
    spdlog::error("alerts: cannot queue the digest (retrying in {}s): {}",
                  std::chrono::duration_cast<std::chrono::seconds>(options_.retryInitial).count(),
                  id.error().message);
    armTimer(digestTimer_, now + options_.retryInitial, &AlertEngine::sendDigest);
    return;
  }
  spdlog::info("alerts: queued digest {} \"{}\"", m.messageId, m.subject);
  digestCheckedUntil_ = now;
  reportDepth();
  deliverNext();
  planDigest();
}

void AlertEngine::handleControl(std::string line, std::function<void(std::string)> reply) {
  boost::asio::post(
      strand_, [this, line = std::move(line), reply = std::move(reply)] { reply(control(line)); });
}

}  // namespace ibackupmon

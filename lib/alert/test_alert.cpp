// SPDX-License-Identifier: Apache-2.0
#include "alert/test_alert.h"

#include "alert/alert_email.h"
#include "alert/mime.h"
#include "alert/smtp_mailer.h"

namespace ibackupmon {

Expected<void> sendTestAlert(const Config& config, const Clock& clock) {
  if (config.alerts.email.smtpUrl.empty()) {
    return makeError("smtp_config", "alerts.email.smtp_url: not set, email alerts are off");
  }
  auto mailer = SmtpMailer::create(config.alerts.email);
  if (!mailer) return tl::unexpected(mailer.error());
  TimePoint now = clock.now();
  AlertEmailContent content;
  content.host = alertHostName(config.alerts);
  content.now = now;
  content.dashboardUrl = config.alerts.dashboardUrl;
  content.test = true;
  RenderedEmail email = renderAlertEmail(content);
  MailHeaders headers{config.alerts.email.from, config.alerts.email.to,
                      makeMessageId(content.host, now), now};
  return (*mailer)->send(assembleMessage(headers, email));
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Delivers finished RFC 5322 messages over SMTP with libcurl ([alerts.email]).
/// Blocking: call it from a worker thread, never from the app's strand.
///
///   auto mailer = SmtpMailer::create(config.alerts.email);
///   if (auto sent = (*mailer)->send(message); !sent) log(sent.error().message);

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"

namespace ibackupmon {

/// The seam the outbox delivers through; tests may pass a fake.
class Mailer {
 public:
  virtual ~Mailer() = default;
  /// Sends one complete message to the configured recipients. Errors: "smtp_failed" with the
  /// server URL, libcurl's reason and the last SMTP reply code.
  virtual Expected<void> send(const std::string& message) = 0;
};

class SmtpMailer final : public Mailer {
 public:
  /// Validates the settings and reads password_file; errors name the key and the file.
  static Expected<std::unique_ptr<SmtpMailer>> create(const EmailConfig& config);
  ~SmtpMailer() override;
  SmtpMailer(const SmtpMailer&) = delete;
  SmtpMailer& operator=(const SmtpMailer&) = delete;

  Expected<void> send(const std::string& message) override;

 private:
  SmtpMailer(EmailConfig config, std::string password);

  EmailConfig config_;
  std::string password_;
};

}  // namespace ibackupmon

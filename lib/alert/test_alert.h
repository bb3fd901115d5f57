// SPDX-License-Identifier: Apache-2.0
#pragma once
/// `ibackupmond --send-test-alert`: one test email with the configured [alerts.email] settings,
/// sent directly (not through the outbox) so the admin sees the SMTP error at once.

#include "config/config.h"
#include "core/clock.h"
#include "core/error.h"

namespace ibackupmon {

/// Sends the test email. Errors: "smtp_config" (settings), "smtp_failed" (server said no).
Expected<void> sendTestAlert(const Config& config, const Clock& clock);

}  // namespace ibackupmon

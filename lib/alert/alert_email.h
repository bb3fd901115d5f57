// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What an alert email says: first a summary, one line per device, worst first (slot, name, state,
/// since, the one thing to do first); then per device the identity, both backups (age and date),
/// each condition with evidence and its tailored fix, a notes line, a dashboard hint; Apple's
/// generic iCloud steps at most once; the acknowledged digest. Rendered as plain text and HTML
/// (tables, inline styles, no scripts, no external images), then assembled into one RFC 5322
/// multipart/alternative message.

#include <optional>
#include <string>
#include <vector>

#include "alert/policy.h"
#include "config/config.h"
#include "core/condition.h"
#include "store/alert_types.h"

namespace ibackupmon {

/// One device in the email and the alerts about it.
struct AlertEmailDevice {
  DeviceStatus device;          ///< as last seen (udid only when the device is gone)
  std::vector<Notice> notices;  ///< empty in the acknowledged digest
  std::optional<AlertAck> ack;  ///< set in the acknowledged digest
  /// One "Notes" line under the device: facts other features add (an action taken and its
  /// outcome, a local backup made), each a short sentence; the line is left out when empty.
  std::vector<std::string> notes;
};

struct AlertEmailContent {
  std::string host;
  TimePoint now{};
  std::string dashboardUrl;  ///< empty = no link
  std::vector<AlertEmailDevice> devices;
  std::vector<Notice> hostNotices;  ///< about the host itself (empty udid), shown first
  std::vector<AlertEmailDevice> acknowledged;
  bool test = false;  ///< `ibackupmond --send-test-alert`
};

struct RenderedEmail {
  std::string subject;
  std::string text;
  std::string html;
};

RenderedEmail renderAlertEmail(const AlertEmailContent& content);

/// The one-line text of a host-level alert, e.g. "usbmuxd on cart1 accepts connections but
/// answers nothing since 10:42 UTC; devices cannot be read: `systemctl restart usbmuxd`".
std::string hostAlertLine(const std::string& host, const Notice& notice);

/// [alerts] host_name, else this machine's hostname: the `host` of every email and alert label.
std::string alertHostName(const AlertsConfig& alerts);

struct MailHeaders {
  std::string from;
  std::vector<std::string> to;
  std::string messageId;
  TimePoint date{};
};

/// The complete message with CRLF line ends: headers, then text/plain and text/html parts.
std::string assembleMessage(const MailHeaders& headers, const RenderedEmail& email);

}  // namespace ibackupmon

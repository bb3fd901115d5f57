// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What ibackupmond did, in words: the one-sentence note an alert mail carries about the last
/// action on a device ("ibackupmond turned iCloud Backup on at 10:42 UTC on 2026-12-06,
/// verified"), and the daily "what ibackupmon did" digest of the audit trail (docs/remediation.md).

#include <map>
#include <string>
#include <vector>

#include "alert/alert_email.h"
#include "core/remediation.h"

namespace ibackupmon {

/// Outbox kind of the daily digest (alert mails are "alert").
inline constexpr const char* kDigestKind = "digest";
/// The digest goes out at this hour of the host's local time (docs/remediation.md).
inline constexpr int kDigestHour = 7;

/// One sentence about one audit row, e.g. "ibackupmond restarted the device at 03:10 UTC on
/// 2026-12-06; it did not come back".
std::string actionNote(const ActionRecord& record);

struct DigestContent {
  std::string host;
  TimePoint from{};
  TimePoint to{};
  std::vector<ActionRecord> records;            ///< oldest first
  std::map<std::string, DeviceStatus> devices;  ///< for names and slots; may miss a UDID
};

/// Summary counts per action and result, one line per action that went to a device (or would
/// have, in a dry run), skips grouped by reason. Device strings are cleaned as in alert mails.
RenderedEmail renderActionDigest(const DigestContent& content);

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as the Apple System Status feed give a report or a named error,
// never a crash; a report covers every watched service once, and its strings are clean UTF-8
// without CR/LF (they reach emails, logs and metric labels).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "alert/apple_status.h"
#include "alert/feed_text.h"
#include "core/sanitize.h"

namespace {

void checkText(const std::string& s) {
  if (!ibackupmon::isValidUtf8(s) || s.find_first_of("\r\n") != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ibackupmon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::string> kWatched = {"iCloud Backup", "iCloud Account & Sign In",
                                                    "iCloud Storage Upgrades", "Apple ID"};
  const TimePoint now = fromUnixSeconds(1716402600);
  auto report = parseAppleStatus(text, kWatched, now);
  if (!report) {
    if (report.error().message.empty() || report.error().code.rfind("apple_status_", 0) != 0) {
      std::abort();
    }
  } else {
    if (report->services.size() + report->missingServices.size() != kWatched.size()) std::abort();
    for (const auto& s : report->services) {
      for (const auto& e : s.activeEvents) {
        checkText(e.message);
        checkText(e.usersAffected);
        checkText(e.statusType);
        checkText(e.messageId);
        if (e.message.size() > 4096) std::abort();
      }
    }
  }
  const std::string name = normalizeName(unescapeHtml(text));
  if (normalizeName(name) != name) std::abort();  // normalising is idempotent
  return 0;
}

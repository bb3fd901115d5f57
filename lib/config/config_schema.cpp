// SPDX-License-Identifier: Apache-2.0
#include "config/config_schema.h"

#include <algorithm>
#include <cctype>

namespace ibackupmon {

namespace {

// Sub-tables (alerts.email) appear as keys of their parent so that "[alerts] emial = ..." gets a
// suggestion too; allConfigKeys() leaves them out because they are not leaves.
const std::vector<ConfigSection>& schema() {
  static const std::vector<ConfigSection> kSchema = {
      {"",
       {"storage", "metrics", "probe", "backup", "thresholds", "ios", "log", "alerts",
        "apple_status", "host", "remediation", "local_backup", "device", "slot"}},
      {"storage", {"path", "retention", "forget_after"}},
      {"metrics", {"listen", "basic_auth_user", "basic_auth_password_file"}},
      {"probe",
       {"interval", "timeout", "concurrency", "network_devices", "pair", "include", "exclude",
        "max_abandoned_workers"}},
      {"backup", {"stale_after", "critical_after", "missing_after", "expect"}},
      {"thresholds",
       {"battery_low", "battery_health", "battery_temperature", "storage_low", "clock_skew"}},
      {"ios", {"minimum_version", "catalog_url", "ca_file", "catalog_interval"}},
      {"log", {"level"}},
      {"alerts",
       {"repeat", "group_window", "notify_resolved", "host_name", "dashboard_url", "control_socket",
        "email", "alertmanager"}},
      {"alerts.email",
       {"smtp_url", "starttls", "username", "password_file", "from", "to", "timeout"}},
      {"alerts.alertmanager", {"url", "resend_interval", "timeout"}},
      {"apple_status", {"url", "interval", "services"}},
      {"host", {"sysfs_root"}},
      {"remediation",
       {"enable_icloud_backup", "restart_after", "restart_passcode_devices", "restart_timeout",
        "window", "max_restarts_per_hour", "max_fleet_fraction", "min_interval", "udids",
        "exclude_udids", "dry_run", "digest"}},
      {"local_backup",
       {"enable", "directory", "when", "window", "max_concurrent", "min_free_space",
        "max_total_size", "keep_previous", "full_every", "timeout", "try_passcode_devices",
        "min_battery"}},
      {"device", {"udid", "label", "location"}},
      {"slot", {"port", "path", "label"}},
  };
  return kSchema;
}

bool isSection(std::string_view name) {
  const auto& s = schema();
  return std::any_of(s.begin(), s.end(), [&](const ConfigSection& c) { return c.name == name; });
}

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// neighbours ("emial" -> "email") each cost one. Case is ignored.
std::size_t editDistance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  const std::size_t width = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * width + j]; };
  for (std::size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.size(), b.size());
}

}  // namespace

std::span<const ConfigSection> configSchema() {
  return schema();
}

std::span<const std::string_view> configSectionKeys(std::string_view section) {
  for (const auto& s : schema()) {
    if (s.name == section) return s.keys;
  }
  return {};
}

std::vector<std::string> allConfigKeys() {
  std::vector<std::string> out;
  for (const auto& s : schema()) {
    if (s.name.empty()) continue;
    for (auto key : s.keys) {
      const std::string full = std::string(s.name) + "." + std::string(key);
      if (!isSection(full)) out.push_back(full);
    }
  }
  return out;
}

std::string_view closestMatch(std::string_view typed,
                              std::span<const std::string_view> candidates) {
  // Allow about one typo per three characters, at least one: "intervall" -> "interval", but
  // "x" suggests nothing.
  const std::size_t allowed = std::max<std::size_t>(1, typed.size() / 3);
  std::string_view best;
  if (typed.size() > 64) return best;  // no key is that long; spare the quadratic work
  std::size_t bestDistance = allowed + 1;
  for (auto candidate : candidates) {
    const std::size_t d = editDistance(typed, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

}  // namespace ibackupmon

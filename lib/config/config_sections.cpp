// SPDX-License-Identifier: Apache-2.0
#include "config/config_sections.h"

#include <set>

#include "core/usb_slot.h"

namespace ibackupmon {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Duration kSecond = seconds(1);
constexpr Duration kDay = hours(24);
constexpr Duration kCentury = hours(24 * 36500);

CheckResult anyText(std::string_view v) {
  return checkPlainText(v);
}
CheckResult nonEmpty(std::string_view v) {
  return checkNonEmptyText(v);
}
CheckResult httpUrl(std::string_view v) {
  return checkUrl(v, "http,https");
}
CheckResult optionalHttpUrl(std::string_view v) {
  return v.empty() ? std::nullopt : httpUrl(v);
}

template <class E, std::size_t N>
void readEnum(TableReader& r, std::string_view key, E& out,
              const std::array<const char*, N>& names) {
  if (auto index = r.choice(key, std::vector<std::string_view>(names.begin(), names.end())))
    out = static_cast<E>(*index);
}

void readStorage(TableReader& r, StorageConfig& c) {
  r.string("path", c.path, nonEmpty);
  r.duration("retention", c.retention, hours(1), kCentury);
  r.duration("forget_after", c.forgetAfter, kSecond, kCentury);
}

void readMetrics(TableReader& r, MetricsConfig& c) {
  r.string("listen", c.listen, [](std::string_view v) { return checkListenAddress(v); });
  r.optionalString("basic_auth_user", c.basicAuthUser, [](std::string_view v) -> CheckResult {
    if (v.find(':') != std::string_view::npos) return "a user name without ':'";
    return checkNonEmptyText(v);
  });
  r.optionalString("basic_auth_password_file", c.basicAuthPasswordFile, nonEmpty);
}

void readProbe(TableReader& r, ProbeConfig& c) {
  r.duration("interval", c.interval, kSecond, kDay);
  r.duration("timeout", c.timeout, kSecond, hours(1));
  r.integer("concurrency", c.concurrency, 1, 256);
  r.boolean("network_devices", c.networkDevices);
  r.boolean("pair", c.pair);
  r.stringList("include", c.include, nonEmpty);
  r.stringList("exclude", c.exclude, nonEmpty);
  r.integer("max_abandoned_workers", c.maxAbandonedWorkers, 0, 1024);
}

void readBackup(TableReader& r, BackupConfig& c) {
  r.duration("stale_after", c.staleAfter, kSecond, kCentury);
  r.duration("critical_after", c.criticalAfter, kSecond, kCentury);
  r.duration("missing_after", c.missingAfter, kSecond, kCentury);
  readEnum(r, "expect", c.expect, kBackupExpectNames);
}

void readThresholds(TableReader& r, ThresholdsConfig& c) {
  r.integer("battery_low", c.batteryLow, 0, 100);
  r.integer("battery_health", c.batteryHealth, 0, 150);
  r.integer("battery_temperature", c.batteryTemperature, 0, 100);
  r.byteSize("storage_low", c.storageLow);
  r.duration("clock_skew", c.clockSkew, kSecond, kDay);
}

void readIos(TableReader& r, IosConfig& c) {
  r.optionalString("minimum_version", c.minimumVersion,
                   [](std::string_view v) { return checkVersion(v); });
  r.optionalString("catalog_url", c.catalogUrl, httpUrl);
  r.optionalString("ca_file", c.caFile, nonEmpty);
  r.duration("catalog_interval", c.catalogInterval, kSecond, hours(24 * 30));
}

void readLog(TableReader& r, LogConfig& c) {
  readEnum(r, "level", c.level, kLogLevelNames);
}

void readEmail(TableReader& r, EmailConfig& c) {
  r.string("smtp_url", c.smtpUrl,
           [](std::string_view v) { return v.empty() ? std::nullopt : checkUrl(v, "smtp,smtps"); });
  readEnum(r, "starttls", c.starttls, kStartTlsNames);
  r.optionalString("username", c.username, nonEmpty);
  r.optionalString("password_file", c.passwordFile, nonEmpty);
  r.string("from", c.from, [](std::string_view v) { return checkEmailAddress(v); });
  r.stringList("to", c.to, [](std::string_view v) { return checkEmailAddress(v); });
  r.duration("timeout", c.timeout, kSecond, minutes(10));
}

void readAlertmanager(TableReader& r, AlertmanagerConfig& c) {
  r.string("url", c.url, optionalHttpUrl);
  r.duration("resend_interval", c.resendInterval, kSecond, kDay);
  r.duration("timeout", c.timeout, kSecond, minutes(10));
}

void readAlerts(TableReader& r, AlertsConfig& c, Diagnostics& diag) {
  readEnum(r, "repeat", c.repeat, kRepeatPolicyNames);
  r.duration("group_window", c.groupWindow, seconds(0), kDay);
  r.boolean("notify_resolved", c.notifyResolved);
  r.string("host_name", c.hostName, [](std::string_view v) -> CheckResult {
    if (v.size() > 253) return "a host name of at most 253 characters";
    return checkPlainText(v);
  });
  r.string("dashboard_url", c.dashboardUrl, optionalHttpUrl);
  r.string("control_socket", c.controlSocket,
           [](std::string_view v) { return checkSocketPath(v); });
  TableReader email(r.table("email"), "alerts.email", "alerts.email.", diag);
  readEmail(email, c.email);
  email.finish();
  TableReader alertmanager(r.table("alertmanager"), "alerts.alertmanager", "alerts.alertmanager.",
                           diag);
  readAlertmanager(alertmanager, c.alertmanager);
  alertmanager.finish();
}

void readAppleStatus(TableReader& r, AppleStatusConfig& c) {
  r.string("url", c.url, optionalHttpUrl);
  r.duration("interval", c.interval, kSecond, kDay);
  r.stringList("services", c.services, nonEmpty);
}

// A daily window, "HH:MM-HH:MM" in host local time; "" = any time (nullopt).
void readWindow(TableReader& r, std::string_view key, std::optional<DailyWindow>& out) {
  std::string window = out ? formatDailyWindow(*out) : std::string();
  r.string(key, window, [](std::string_view v) -> CheckResult {
    if (v.empty() || parseDailyWindow(v)) return std::nullopt;
    return "\"\" or a span of host local time \"HH:MM-HH:MM\" with different ends, such as "
           "\"20:00-06:00\"";
  });
  out = window.empty() ? std::nullopt : parseDailyWindow(window);
}

void readRemediation(TableReader& r, RemediationConfig& c) {
  r.boolean("enable_icloud_backup", c.enableIcloudBackup);
  r.duration("restart_after", c.restartAfter, Duration::zero(), kCentury);
  r.boolean("restart_passcode_devices", c.restartPasscodeDevices);
  r.duration("restart_timeout", c.restartTimeout, kSecond, hours(1));
  readWindow(r, "window", c.window);
  r.integer("max_restarts_per_hour", c.maxRestartsPerHour, 0, 1000);
  r.number("max_fleet_fraction", c.maxFleetFraction, 0.0, 1.0);
  r.duration("min_interval", c.minInterval, Duration::zero(), kCentury);
  const StringCheck udid = [](std::string_view v) { return checkUdid(v); };
  r.stringList("udids", c.udids, udid);
  r.stringList("exclude_udids", c.excludeUdids, udid);
  r.boolean("dry_run", c.dryRun);
  r.boolean("digest", c.digest);
}

void readLocalBackup(TableReader& r, LocalBackupConfig& c) {
  r.boolean("enable", c.enable);
  r.string("directory", c.directory, [](std::string_view v) { return checkDataDirectory(v); });
  readEnum(r, "when", c.when, kLocalBackupWhenNames);
  readWindow(r, "window", c.window);
  r.integer("max_concurrent", c.maxConcurrent, 1, 8);
  r.byteSize("min_free_space", c.minFreeSpace);
  r.byteSize("max_total_size", c.maxTotalSize);
  r.boolean("keep_previous", c.keepPrevious);
  r.duration("full_every", c.fullEvery, Duration::zero(), kCentury);
  r.duration("timeout", c.timeout, kSecond, hours(24 * 7));
  r.boolean("try_passcode_devices", c.tryPasscodeDevices);
  r.integer("min_battery", c.minBattery, 0, 100);
}

// Local backups are a safety net for iCloud fleets, and they run idevicebackup2: both are checked
// here so that --check-config, start-up and reload report them like any other key.
void checkLocalBackup(const Config& config, Diagnostics& diag) {
  if (!config.localBackup.enable) return;
  const ConfigPosition at = diag.positionOf("local_backup.enable").value_or(ConfigPosition{});
  if (config.backup.expect != BackupExpect::ICloud) {
    diag.error(at, "local_backup.enable",
               "[backup] expect = \"icloud\" when [local_backup] enable = true (local backups are "
               "a safety net for iCloud fleets; a fleet that expects computer backups already has "
               "them)",
               std::string("backup.expect = \"") + toString(config.backup.expect) + "\"");
  }
  const std::string path = programSearchPath();
  if (!findProgram(kLocalBackupProgram, path)) {
    diag.error(at, "local_backup.enable",
               "idevicebackup2 on PATH: [local_backup] enable = true needs idevicebackup2 (Debian "
               "package libimobiledevice-utils)",
               "none in PATH \"" + path + "\"");
  }
}

void readDevices(const toml::array* array, std::vector<DeviceSetting>& out, Diagnostics& diag) {
  if (array == nullptr) return;
  std::set<std::string> udids;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* table = array->get(i)->as_table();
    const std::string prefix = "device[" + std::to_string(i) + "].";
    TableReader r(table, "device", prefix, diag);
    DeviceSetting device;
    const std::size_t before = diag.errorCount();
    r.string("udid", device.udid, [](std::string_view v) { return checkUdid(v); });
    r.optionalString("label", device.label, anyText);
    r.optionalString("location", device.location, anyText);
    r.finish();
    const ConfigPosition at = positionOf(table->source());
    if (table->get("udid") == nullptr) {
      diag.error(at, prefix + "udid", "a udid in every [[device]] entry", "none");
    } else if (diag.errorCount() == before && !udids.insert(device.udid).second) {
      diag.error(diag.positionOf(prefix + "udid").value_or(at), prefix + "udid",
                 "each device listed once", "a second entry for \"" + device.udid + "\"");
    }
    out.push_back(std::move(device));
  }
}

void readSlots(const toml::array* array, std::vector<SlotSetting>& out, Diagnostics& diag) {
  if (array == nullptr) return;
  std::set<std::string> places;  // "port 1-2.3" and "path pci-..." already taken
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* table = array->get(i)->as_table();
    const std::string prefix = "slot[" + std::to_string(i) + "].";
    TableReader r(table, "slot", prefix, diag);
    SlotSetting slot;
    const std::size_t before = diag.errorCount();
    r.optionalString("port", slot.port, [](std::string_view v) -> CheckResult {
      if (isUsbPortPath(v)) return std::nullopt;
      return "a USB port path such as \"1-2.3.4\" (bus, then hub ports; see ibackupmonctl status)";
    });
    r.optionalString("path", slot.path, [](std::string_view v) -> CheckResult {
      if (isUsbIdPath(v)) return std::nullopt;
      return "a udev ID_PATH such as \"pci-0000:00:14.0-usb-0:2.3.4\"";
    });
    r.string("label", slot.label, nonEmpty);
    r.finish();
    const ConfigPosition at = positionOf(table->source());
    if (table->get("label") == nullptr) {
      diag.error(at, prefix + "label", "a label in every [[slot]] entry", "none");
    }
    if (table->get("port") == nullptr && table->get("path") == nullptr) {
      diag.error(at, prefix + "port", "a port or a path in every [[slot]] entry", "neither");
    } else if (table->get("port") != nullptr && table->get("path") != nullptr) {
      diag.error(diag.positionOf(prefix + "path").value_or(at), prefix + "path",
                 "a port or a path, not both", "both");
    } else if (diag.errorCount() == before) {
      const bool byPort = slot.port.has_value();
      const std::string key = byPort ? "port" : "path";
      const std::string& where = byPort ? *slot.port : *slot.path;
      if (!places.insert(key + " " + where).second) {
        diag.error(diag.positionOf(prefix + key).value_or(at), prefix + key,
                   "each " + key + " in one [[slot]] only", "a second entry for \"" + where + "\"");
      }
    }
    out.push_back(std::move(slot));
  }
}

}  // namespace

void readConfigSections(const toml::table& root, Config& config, Diagnostics& diag) {
  TableReader top(&root, "", "", diag);
  // Each section reads its keys, then reports the ones it did not ask for.
  auto section = [&](std::string_view name, auto&& read) {
    TableReader r(top.table(name), std::string(name), std::string(name) + ".", diag);
    read(r);
    r.finish();
  };
  section("storage", [&](TableReader& r) { readStorage(r, config.storage); });
  section("metrics", [&](TableReader& r) { readMetrics(r, config.metrics); });
  section("probe", [&](TableReader& r) { readProbe(r, config.probe); });
  section("backup", [&](TableReader& r) { readBackup(r, config.backup); });
  section("thresholds", [&](TableReader& r) { readThresholds(r, config.thresholds); });
  section("ios", [&](TableReader& r) { readIos(r, config.ios); });
  section("log", [&](TableReader& r) { readLog(r, config.log); });
  section("alerts", [&](TableReader& r) { readAlerts(r, config.alerts, diag); });
  section("apple_status", [&](TableReader& r) { readAppleStatus(r, config.appleStatus); });
  section("host", [&](TableReader& r) { r.string("sysfs_root", config.host.sysfsRoot, nonEmpty); });
  section("remediation", [&](TableReader& r) { readRemediation(r, config.remediation); });
  section("local_backup", [&](TableReader& r) { readLocalBackup(r, config.localBackup); });
  readDevices(top.arrayOfTables("device"), config.devices, diag);
  readSlots(top.arrayOfTables("slot"), config.slots, diag);
  top.finish();
  checkLocalBackup(config, diag);
}

}  // namespace ibackupmon

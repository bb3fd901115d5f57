// SPDX-License-Identifier: Apache-2.0
#include "config/config_render.h"

#include <cstdio>
#include <optional>
#include <sstream>
#include <vector>

#include "config/config_validate.h"

namespace ibackupmon {

namespace {

// Writes "key = value" lines; small helpers keep renderConfig a flat list that mirrors the docs.
class TomlWriter {
 public:
  void section(const std::string& header) { out_ << "\n[" << header << "]\n"; }
  void arraySection(const std::string& header) { out_ << "\n[[" << header << "]]\n"; }
  void text(const char* key, std::string_view value) { line(key, tomlQuote(value)); }
  void optional(const char* key, const std::optional<std::string>& value) {
    if (value) text(key, *value);
  }
  void duration(const char* key, Duration value) { text(key, formatDuration(value)); }
  void integer(const char* key, long long value) { line(key, std::to_string(value)); }
  void boolean(const char* key, bool value) { line(key, value ? "true" : "false"); }
  void list(const char* key, const std::vector<std::string>& values) {
    std::string joined = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      joined += (i == 0 ? "" : ", ") + tomlQuote(values[i]);
    }
    line(key, joined + "]");
  }
  void number(const char* key, double value) {
    std::ostringstream text;
    text << value;
    std::string rendered = text.str();
    // TOML tells a float by its point: 1 would read back as an integer (also accepted), 0.2 stays.
    if (rendered.find_first_of(".e") == std::string::npos) rendered += ".0";
    line(key, rendered);
  }
  void comment(std::string_view text) { out_ << "# " << text << "\n"; }
  std::string str() const { return out_.str(); }

 private:
  void line(const char* key, const std::string& value) { out_ << key << " = " << value << "\n"; }
  std::ostringstream out_;
};

void renderAlerts(TomlWriter& w, const AlertsConfig& a) {
  w.section("alerts");
  w.text("repeat", toString(a.repeat));
  w.duration("group_window", a.groupWindow);
  w.boolean("notify_resolved", a.notifyResolved);
  w.text("host_name", a.hostName);
  w.text("dashboard_url", a.dashboardUrl);
  w.text("control_socket", a.controlSocket);
  w.section("alerts.email");
  w.text("smtp_url", a.email.smtpUrl);
  w.text("starttls", toString(a.email.starttls));
  w.optional("username", a.email.username);
  w.optional("password_file", a.email.passwordFile);
  w.text("from", a.email.from);
  w.list("to", a.email.to);
  w.duration("timeout", a.email.timeout);
  w.section("alerts.alertmanager");
  w.text("url", a.alertmanager.url);
  w.duration("resend_interval", a.alertmanager.resendInterval);
  w.duration("timeout", a.alertmanager.timeout);
}

void renderProbeAndBackup(TomlWriter& w, const Config& c) {
  w.section("probe");
  w.duration("interval", c.probe.interval);
  w.duration("timeout", c.probe.timeout);
  w.integer("concurrency", c.probe.concurrency);
  w.boolean("network_devices", c.probe.networkDevices);
  w.boolean("pair", c.probe.pair);
  w.list("include", c.probe.include);
  w.list("exclude", c.probe.exclude);
  w.integer("max_abandoned_workers", c.probe.maxAbandonedWorkers);
  w.section("backup");
  w.duration("stale_after", c.backup.staleAfter);
  w.duration("critical_after", c.backup.criticalAfter);
  w.duration("missing_after", c.backup.missingAfter);
  w.text("expect", toString(c.backup.expect));
  w.section("thresholds");
  w.integer("battery_low", c.thresholds.batteryLow);
  w.integer("battery_health", c.thresholds.batteryHealth);
  w.integer("battery_temperature", c.thresholds.batteryTemperature);
  w.text("storage_low", formatByteSize(c.thresholds.storageLow));
  w.duration("clock_skew", c.thresholds.clockSkew);
}

void renderRemediation(TomlWriter& w, const RemediationConfig& r) {
  w.section("remediation");
  w.boolean("enable_icloud_backup", r.enableIcloudBackup);
  w.duration("restart_after", r.restartAfter);
  w.boolean("restart_passcode_devices", r.restartPasscodeDevices);
  w.duration("restart_timeout", r.restartTimeout);
  w.text("window", r.window ? formatDailyWindow(*r.window) : std::string());
  w.integer("max_restarts_per_hour", r.maxRestartsPerHour);
  w.number("max_fleet_fraction", r.maxFleetFraction);
  w.duration("min_interval", r.minInterval);
  w.list("udids", r.udids);
  w.list("exclude_udids", r.excludeUdids);
  w.boolean("dry_run", r.dryRun);
  w.boolean("digest", r.digest);
}

void renderLocalBackup(TomlWriter& w, const LocalBackupConfig& b) {
  w.section("local_backup");
  w.boolean("enable", b.enable);
  w.text("directory", b.directory);
  w.text("when", toString(b.when));
  w.text("window", b.window ? formatDailyWindow(*b.window) : std::string());
  w.integer("max_concurrent", b.maxConcurrent);
  w.text("min_free_space", formatByteSize(b.minFreeSpace));
  w.text("max_total_size", formatByteSize(b.maxTotalSize));
  w.boolean("keep_previous", b.keepPrevious);
  w.duration("full_every", b.fullEvery);
  w.duration("timeout", b.timeout);
  w.boolean("try_passcode_devices", b.tryPasscodeDevices);
  w.integer("min_battery", b.minBattery);
}

}  // namespace

std::string tomlQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", u);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string renderConfig(const Config& c) {
  TomlWriter w;
  w.comment("ibackupmond effective configuration" +
            (c.sourcePath.empty() ? std::string(" (built-in defaults)") : " from " + c.sourcePath));
  w.section("storage");
  w.text("path", c.storage.path);
  w.duration("retention", c.storage.retention);
  w.duration("forget_after", c.storage.forgetAfter);
  w.section("metrics");
  w.text("listen", c.metrics.listen);
  w.optional("basic_auth_user", c.metrics.basicAuthUser);
  w.optional("basic_auth_password_file", c.metrics.basicAuthPasswordFile);
  renderProbeAndBackup(w, c);
  w.section("ios");
  w.optional("minimum_version", c.ios.minimumVersion);
  w.optional("catalog_url", c.ios.catalogUrl);
  w.optional("ca_file", c.ios.caFile);
  w.duration("catalog_interval", c.ios.catalogInterval);
  w.section("log");
  w.text("level", toString(c.log.level));
  renderAlerts(w, c.alerts);
  w.section("apple_status");
  w.text("url", c.appleStatus.url);
  w.duration("interval", c.appleStatus.interval);
  w.list("services", c.appleStatus.services);
  w.section("host");
  w.text("sysfs_root", c.host.sysfsRoot);
  renderRemediation(w, c.remediation);
  renderLocalBackup(w, c.localBackup);
  for (const auto& device : c.devices) {
    w.arraySection("device");
    w.text("udid", device.udid);
    w.optional("label", device.label);
    w.optional("location", device.location);
  }
  for (const auto& slot : c.slots) {
    w.arraySection("slot");
    w.optional("port", slot.port);
    w.optional("path", slot.path);
    w.text("label", slot.label);
  }
  return w.str();
}

}  // namespace ibackupmon

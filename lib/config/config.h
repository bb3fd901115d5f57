// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The validated, immutable configuration. Built only by loadConfig() (config_loader.h); every
/// field has its documented default, so a default-constructed Config is the documented defaults.
/// Keys that need a restart to change: storage.path, metrics.listen, alerts.control_socket,
/// local_backup.directory (restartRequiredKeys() in config_diff.h; see docs/configuration.md).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"

namespace ibackupmon {

inline constexpr const char* kDefaultConfigPath = "/etc/ibackupmon/ibackupmon.toml";
inline constexpr std::uint16_t kDefaultMetricsPort = 9847;

enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class BackupExpect { ICloud, Computer, Either };
enum class RepeatPolicy { Once, Daily, Diminishing };
enum class StartTls { Required, Optional, Never };
enum class LocalBackupWhen { Stale };

/// The names the configuration file gives each enum's values, in the enum's order.
inline constexpr std::array<const char*, 5> kLogLevelNames{"trace", "debug", "info", "warn",
                                                           "error"};
inline constexpr std::array<const char*, 3> kBackupExpectNames{"icloud", "computer", "either"};
inline constexpr std::array<const char*, 3> kRepeatPolicyNames{"once", "daily", "diminishing"};
inline constexpr std::array<const char*, 3> kStartTlsNames{"required", "optional", "never"};
inline constexpr std::array<const char*, 1> kLocalBackupWhenNames{"stale"};

struct StorageConfig {
  std::string path = "/var/lib/ibackupmon/ibackupmon.db";
  Duration retention = std::chrono::hours(24 * 400);
  Duration forgetAfter = std::chrono::hours(24 * 90);

  bool operator==(const StorageConfig&) const = default;
};

struct MetricsConfig {
  std::string listen = "0.0.0.0:9847";  ///< "HOST:PORT"; "127.0.0.1:0" picks a free port
  std::optional<std::string> basicAuthUser;
  std::optional<std::string> basicAuthPasswordFile;

  bool operator==(const MetricsConfig&) const = default;
};

struct ProbeConfig {
  Duration interval = std::chrono::minutes(5);
  Duration timeout = std::chrono::seconds(15);
  int concurrency = 8;               ///< 1..256
  bool networkDevices = false;       ///< also watch Wi-Fi sync devices
  bool pair = true;                  ///< pair devices without a pair record (shows Trust dialog)
  std::vector<std::string> include;  ///< UDIDs or name glob patterns; empty = all
  std::vector<std::string> exclude;  ///< UDIDs or name glob patterns
  int maxAbandonedWorkers = 16;  ///< lost (hung) lockdown threads tolerated before refusing more

  bool operator==(const ProbeConfig&) const = default;
};

struct BackupConfig {
  Duration staleAfter = std::chrono::hours(36);
  Duration criticalAfter = std::chrono::hours(24 * 7);
  Duration missingAfter = std::chrono::hours(24 * 3);  ///< known device not attached this long
  BackupExpect expect = BackupExpect::ICloud;

  bool operator==(const BackupConfig&) const = default;
};

struct ThresholdsConfig {
  int batteryLow = 20;                    ///< percent
  int batteryHealth = 80;                 ///< percent of design capacity (estimated health)
  int batteryTemperature = 40;            ///< degrees Celsius
  std::uint64_t storageLow = 2ull << 30;  ///< bytes available (2 GiB)
  Duration clockSkew = std::chrono::minutes(5);

  bool operator==(const ThresholdsConfig&) const = default;
};

struct IosConfig {
  std::optional<std::string> minimumVersion;  ///< e.g. "17.0"
  std::optional<std::string> catalogUrl;      ///< https://gdmf.apple.com/v2/pmv
  std::optional<std::string> caFile;
  Duration catalogInterval = std::chrono::hours(24);

  bool operator==(const IosConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::Info;

  bool operator==(const LogConfig&) const = default;
};

struct EmailConfig {
  std::string smtpUrl;  ///< "smtp://host:25" or "smtps://host:465"; empty = email off
  StartTls starttls = StartTls::Optional;
  std::optional<std::string> username;
  std::optional<std::string> passwordFile;
  std::string from = "ibackupmon@localhost";
  std::vector<std::string> to;
  Duration timeout = std::chrono::seconds(30);

  bool operator==(const EmailConfig&) const = default;
};

struct AlertmanagerConfig {
  std::string url;  ///< "http://127.0.0.1:9093"; empty = off
  Duration resendInterval = std::chrono::minutes(1);
  Duration timeout = std::chrono::seconds(10);

  bool operator==(const AlertmanagerConfig&) const = default;
};

struct AlertsConfig {
  RepeatPolicy repeat = RepeatPolicy::Daily;
  Duration groupWindow = std::chrono::minutes(10);
  bool notifyResolved = true;
  std::string hostName;      ///< empty = the machine's hostname
  std::string dashboardUrl;  ///< optional Grafana link for emails
  std::string controlSocket = "/run/ibackupmon/control.sock";
  EmailConfig email;
  AlertmanagerConfig alertmanager;

  bool operator==(const AlertsConfig&) const = default;
};

struct AppleStatusConfig {
  std::string url;  ///< empty = off
  Duration interval = std::chrono::minutes(5);
  std::vector<std::string> services = {"iCloud Backup", "iCloud Account & Sign In",
                                       "iCloud Storage Upgrades", "Apple ID"};

  bool operator==(const AppleStatusConfig&) const = default;
};

struct DeviceSetting {
  std::string udid;
  std::optional<std::string> label;
  std::optional<std::string> location;

  bool operator==(const DeviceSetting&) const = default;
};

struct HostConfig {
  std::string sysfsRoot = "/sys";  ///< where USB ports are read; tests point it at a fixture tree

  bool operator==(const HostConfig&) const = default;
};

/// A labelled place on a cart: a port, named by its sysfs port path or by udev's ID_PATH (exactly
/// one of the two). The label follows the port: a device moved to another slot takes its label.
struct SlotSetting {
  std::optional<std::string> port;  ///< "1-2.3.4"
  std::optional<std::string> path;  ///< "pci-0000:00:14.0-usb-0:2.3.4"
  std::string label;                ///< "Cart A / 07"

  bool operator==(const SlotSetting&) const = default;
};

/// A daily span of host local time, "20:00-06:00"; it may wrap past midnight. Equal ends are
/// refused by the reader, so an empty span cannot be configured.
struct DailyWindow {
  int startMinute = 0;  ///< minutes after local midnight, 0..1439
  int endMinute = 0;    ///< exclusive

  bool operator==(const DailyWindow&) const = default;
  /// Whether `minuteOfDay` (0..1439) falls inside the span.
  bool contains(int minuteOfDay) const;
};

/// "HH:MM-HH:MM" -> DailyWindow; nullopt when malformed or when both ends are equal.
std::optional<DailyWindow> parseDailyWindow(std::string_view text);
std::string formatDailyWindow(const DailyWindow& window);

/// What the daemon may do to a device by itself; every action is off by default.
struct RemediationConfig {
  bool enableIcloudBackup = false;
  Duration restartAfter = Duration::zero();  ///< zero = never restart
  bool restartPasscodeDevices = false;
  Duration restartTimeout = std::chrono::minutes(5);
  std::optional<DailyWindow> window;  ///< host local time; nullopt = any time
  int maxRestartsPerHour = 5;
  double maxFleetFraction = 0.2;
  Duration minInterval = std::chrono::hours(24);
  std::vector<std::string> udids;  ///< act only on these; empty = all
  std::vector<std::string> excludeUdids;
  bool dryRun = false;
  bool digest = true;  ///< one daily mail of what was done

  bool operator==(const RemediationConfig&) const = default;
  bool anyActionEnabled() const { return enableIcloudBackup || restartAfter > Duration::zero(); }
};

/// The program that takes local backups; found on PATH (Debian package libimobiledevice-utils).
inline constexpr const char* kLocalBackupProgram = "idevicebackup2";

/// Opt-in local safety-net backups (idevicebackup2) of devices whose iCloud backup is stale; off
/// by default. Targeting, dry_run and min_interval come from [remediation].
struct LocalBackupConfig {
  bool enable = false;
  std::string directory = "/var/lib/ibackupmon/backups";  ///< one folder per UDID, mode 0700
  LocalBackupWhen when = LocalBackupWhen::Stale;
  /// Host local time in which a run may start; nullopt = any time.
  std::optional<DailyWindow> window = DailyWindow{20 * 60, 6 * 60};
  int maxConcurrent = 1;                     ///< 1..8 runs at once on this host
  std::uint64_t minFreeSpace = 20ull << 30;  ///< bytes left free on the backup file system
  std::uint64_t maxTotalSize = 0;            ///< sum of all device folders; 0 = no cap
  bool keepPrevious = true;                  ///< keep the last finished backup until a new one
  Duration fullEvery = std::chrono::hours(24 * 30);  ///< zero = every run is full
  Duration timeout = std::chrono::hours(6);
  bool tryPasscodeDevices = false;  ///< one try per attach for devices that may ask for a passcode
  int minBattery = 30;              ///< percent, 0..100; the device must also be on power

  bool operator==(const LocalBackupConfig&) const = default;
};

struct Config {
  std::string sourcePath;  ///< file it came from; empty for built-in defaults
  StorageConfig storage;
  MetricsConfig metrics;
  ProbeConfig probe;
  BackupConfig backup;
  ThresholdsConfig thresholds;
  IosConfig ios;
  LogConfig log;
  AlertsConfig alerts;
  AppleStatusConfig appleStatus;
  HostConfig host;
  RemediationConfig remediation;
  LocalBackupConfig localBackup;
  std::vector<DeviceSetting> devices;
  std::vector<SlotSetting> slots;

  bool operator==(const Config&) const = default;
};

/// The [[slot]] entry naming this port (by port path) or this udev path; nullptr when none.
const SlotSetting* findSlot(const Config& config, std::string_view port, std::string_view path);

const char* toString(LogLevel l);
const char* toString(BackupExpect e);
const char* toString(RepeatPolicy r);
const char* toString(StartTls s);
const char* toString(LocalBackupWhen w);

}  // namespace ibackupmon

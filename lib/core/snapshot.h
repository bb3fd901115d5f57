// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What one probe cycle read from one device. Every field is optional: absent means "not read"
/// (locked, prohibited, probe failed), never "false" or "zero".

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace ibackupmon {

struct Identity {
  std::string udid;                           ///< always set (from usbmuxd)
  std::optional<std::string> name;            ///< DeviceName (sanitised)
  std::optional<std::string> productType;     ///< ProductType, e.g. "iPhone13,2"
  std::optional<std::string> productVersion;  ///< ProductVersion, e.g. "17.5.1"
  std::optional<std::string> buildVersion;
  std::optional<std::string> serial;
  std::optional<TimePoint> deviceClock;  ///< TimeIntervalSince1970 at the time of the read
  std::optional<bool> passwordProtected;
  std::optional<std::string> activationState;
};

struct BackupFacts {
  std::optional<bool> cloudBackupEnabled;
  std::optional<TimePoint> lastCloudBackup;
  std::optional<std::string> lastCloudBackupTz;
  std::optional<TimePoint> lastComputerBackup;  ///< LastiTunesBackupDate
  std::optional<std::string> lastComputerBackupTz;
  std::optional<bool> willEncrypt;
  std::optional<bool> requiresEncryption;
  std::optional<std::string> version;
  /// A LastCloudBackupDate / LastiTunesBackupDate later than the host's time of the read plus
  /// [thresholds] clock_skew: impossible, so never a backup date; kept as evidence.
  std::optional<TimePoint> futureCloudBackup;
  std::optional<TimePoint> futureComputerBackup;
};

struct BatteryInfo {
  std::optional<int> level;  ///< BatteryCurrentCapacity, 0-100
  std::optional<bool> charging;
  std::optional<bool> externalConnected;
  std::optional<bool> externalChargeCapable;
  std::optional<bool> fullyCharged;
  std::optional<bool> hasBattery;
};

/// The battery's IORegistry entry (diagnostics_relay, class IOPMPowerSource: AppleSmartBattery or
/// AppleARMPMUCharger). Capacities in mAh; CurrentCapacity/MaxCapacity are percentages on current
/// systems and are not read.
struct PowerSourceInfo {
  std::optional<std::int64_t> cycleCount;
  std::optional<std::int64_t> designCapacityMah;  ///< DesignCapacity
  /// AppleRawMaxCapacity, else NominalChargeCapacity, else BatteryData -> FullChargeCapacity.
  std::optional<std::int64_t> maxCapacityMah;
  std::optional<std::string> maxCapacityKey;  ///< which of those keys maxCapacityMah came from
  /// Estimated health: maxCapacityMah / designCapacityMah, clamped to 0..1.5 (a replacement pack
  /// can exceed its design). Always an estimate, never Apple's "Maximum Capacity".
  std::optional<double> healthRatio;
  std::optional<double> temperatureCelsius;  ///< Temperature, sent in hundredths of a degree
  std::optional<std::int64_t> currentMa;     ///< InstantAmperage, negative while discharging
  std::optional<std::int64_t> voltageMv;
  std::optional<bool> charging;           ///< IsCharging
  std::optional<bool> externalConnected;  ///< ExternalConnected
  std::optional<bool> fullyCharged;       ///< FullyCharged
  std::optional<double> chargerWatts;     ///< AdapterDetails -> Watts
};

struct StorageInfo {
  std::optional<std::uint64_t> totalDiskCapacity;
  std::optional<std::uint64_t> totalDataCapacity;
  std::optional<std::uint64_t> totalDataAvailable;
  std::optional<std::uint64_t> amountDataAvailable;
  std::optional<std::uint64_t> amountDataReserved;
};

struct AccountInfo {
  std::optional<bool> icloudSignedIn;     ///< inferred from data_sync AccountNames
  std::vector<std::string> accountNames;  ///< sanitised
};

enum class WifiState { Unknown, Associated, NotAssociated };

/// Lock/trust state as learned from lockdown errors.
enum class TrustState { Unknown, Trusted, PasscodeLocked, TrustPending, TrustDenied, NotPaired };

enum class ProbeStatus { Ok, NoData, Error };

/// A value the device sent that cannot be read (wrong type, out of range): that key stays unknown
/// and the other keys of its domain are kept.
struct InvalidValue {
  std::string domain;  ///< "com.apple.mobile.battery", "default domain", ...
  std::string key;     ///< e.g. "BatteryCurrentCapacity"
  std::string type;    ///< plist type of what was sent: "string", "integer", "data", ...
  std::string detail;  ///< domain, key, what was expected and what was found; no device text
};

/// Each probe reports its own result; "no data" (prohibited, locked) is not an error.
struct ProbeOutcome {
  std::string probe;  ///< "identity", "backup", "battery", ...
  ProbeStatus status = ProbeStatus::Error;
  std::string error;  ///< stable error id when status != Ok, e.g. "get_prohibited", "timeout"
  std::string detail;
  double seconds = 0;
  std::vector<InvalidValue> invalid{};  ///< keys read but unusable; the probe itself may be Ok
};

struct DeviceSnapshot {
  Identity identity;
  TimePoint takenAt{};
  bool connected = false;
  bool network = false;  ///< reached over Wi-Fi sync rather than USB
  TrustState trust = TrustState::Unknown;
  std::optional<BackupFacts> backup;
  std::optional<BatteryInfo> battery;
  std::optional<StorageInfo> storage;
  std::optional<AccountInfo> account;
  WifiState wifi = WifiState::Unknown;
  std::vector<ProbeOutcome> probes;
  std::optional<PowerSourceInfo> powerSource;
};

/// True when the cycle read the device: its lockdown session opened and at least one read got
/// an answer (a value, or the device's own GetProhibited). A cycle whose session opened but whose
/// every read failed (the connection dropped at each GetValue) did not read the device. A
/// snapshot without probe outcomes counts as read when its session opened.
bool deviceAnswered(const DeviceSnapshot& s);

const char* toString(TrustState s);
const char* toString(WifiState s);
const char* toString(ProbeStatus s);

}  // namespace ibackupmon

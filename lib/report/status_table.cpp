// SPDX-License-Identifier: Apache-2.0
#include "report/status_table.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "core/device_state.h"
#include "core/time_format.h"
#include "report/text_cells.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kColumns = 10;
using Row = std::array<std::string, kColumns>;
constexpr std::size_t kMaxName = 32;
constexpr std::size_t kMaxConditions = 3;

std::string displayName(const DeviceStatus& s) {
  std::string name = s.label ? *s.label : s.name;
  if (name.empty()) name = s.udid;
  return terminalCell(name, kMaxName);
}

// The slot's label, else its port path; "-" for a device with no slot (detached, network).
std::string slotCell(const DeviceStatus& s) {
  if (!s.slot) return "-";
  return terminalCell(s.slot->label ? *s.slot->label : s.slot->port, 24);
}

std::string topConditions(const DeviceStatus& s) {
  auto conds = conditionsWorstFirst(s.conditions);
  std::string out;
  for (std::size_t i = 0; i < conds.size() && i < kMaxConditions; ++i) {
    out += (i ? ", " : "") + terminalCell(conds[i].id, 40);
  }
  if (conds.size() > kMaxConditions) out += " +" + std::to_string(conds.size() - kMaxConditions);
  if (s.localBackupSince) {
    out = "backing up locally since " + formatRfc3339(*s.localBackupSince).substr(11, 5) + "Z" +
          (out.empty() ? "" : "; " + out);
  }
  return out.empty() ? "-" : out;
}

Row rowFor(const DeviceStatus& s, TimePoint now) {
  std::string state = toString(deviceState(s));
  for (auto& c : state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {state,
          displayName(s),
          slotCell(s),
          shortUdid(terminalCell(s.udid, 64)),
          terminalCell(s.productType.value_or("?"), 16),
          terminalCell(s.iosVersion.value_or("?"), 10),
          s.connected ? "yes" : "no",
          ageOrNever(s.lastCloudBackup, now),
          ageOrNever(s.lastComputerBackup, now),
          topConditions(s)};
}

}  // namespace

std::string renderStatusTable(const std::vector<DeviceStatus>& fleet, TimePoint now) {
  std::vector<Row> rows = {{"STATE", "NAME", "SLOT", "UDID", "MODEL", "IOS", "CONN", "ICLOUD",
                            "COMPUTER", "CONDITIONS"}};
  for (const auto& s : fleet) rows.push_back(rowFor(s, now));
  std::array<std::size_t, kColumns> width{};
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], displayWidth(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < kColumns; ++i) {
      line += i + 1 == kColumns ? r[i] : padRight(r[i], width[i]) + "  ";
    }
    out += line + "\n";
  }
  return out;
}

std::string renderDeviceDetail(const DeviceStatus& s, TimePoint now) {
  auto cell = [](const std::optional<std::string>& v) {
    return v ? terminalCell(*v, 200) : std::string("unknown");
  };
  auto when = [&](const std::optional<TimePoint>& t) {
    return t ? formatRfc3339(*t) + " (" + ageOrNever(t, now) + " ago)" : std::string("never");
  };
  auto yesNo = [](const std::optional<bool>& b) {
    return b ? std::string(*b ? "yes" : "no") : std::string("unknown");
  };
  std::ostringstream o;
  o << "Device:            " << terminalCell(s.name, 200) << "\n"
    << "UDID:              " << terminalCell(s.udid, 200) << "\n";
  if (s.label) o << "Label:             " << terminalCell(*s.label, 200) << "\n";
  if (s.location) o << "Location:          " << terminalCell(*s.location, 200) << "\n";
  if (s.slot) {
    o << "Slot:              "
      << (s.slot->label ? terminalCell(*s.slot->label, 200) + ", port " : std::string("port "))
      << terminalCell(s.slot->port, 64)
      << (s.slot->path.empty() ? std::string() : " (" + terminalCell(s.slot->path, 200) + ")")
      << ", link "
      << (s.slot->speedMbps ? formatMbps(*s.slot->speedMbps) + " Mbit/s" : std::string("unknown"))
      << "\n";
  }
  o << "Model:             " << cell(s.productType) << ", iOS " << cell(s.iosVersion) << "\n"
    << "Serial:            " << cell(s.serial) << "\n"
    << "State:             " << toString(deviceState(s)) << " (backup " << toString(s.backupState)
    << "): " << terminalCell(deviceSummary(s), 300) << "\n"
    << "Connected:         " << (s.connected ? "yes" : "no") << ", last seen " << when(s.lastSeen)
    << "\n"
    << "First seen:        " << when(s.firstSeen) << "\n"
    << "iCloud Backup:     " << yesNo(s.icloudBackupEnabled) << ", last " << when(s.lastCloudBackup)
    << "\n"
    << "Computer backup:   last " << when(s.lastComputerBackup) << "\n"
    << "Battery:           "
    << (s.batteryLevel ? std::to_string(*s.batteryLevel) + "%" : std::string("unknown"))
    << ", on power " << yesNo(s.onPower) << ", charging " << yesNo(s.charging) << "\n";
  if (s.batteryHealth || s.batteryCycleCount || s.batteryTemperatureCelsius || s.batteryCurrentMa ||
      s.chargerWatts) {
    char health[64] = "unknown";
    if (s.batteryHealth) std::snprintf(health, sizeof health, "%.1f%%", *s.batteryHealth * 100);
    char temp[32] = "unknown";
    if (s.batteryTemperatureCelsius) {
      std::snprintf(temp, sizeof temp, "%.1f C", *s.batteryTemperatureCelsius);
    }
    char watts[32] = "unknown";
    if (s.chargerWatts) std::snprintf(watts, sizeof watts, "%g W", *s.chargerWatts);
    o << "Battery wear:      health " << health << " (estimated), cycles "
      << (s.batteryCycleCount ? std::to_string(*s.batteryCycleCount) : std::string("unknown"))
      << ", temperature " << temp << ", current "
      << (s.batteryCurrentMa ? std::to_string(*s.batteryCurrentMa) + " mA" : std::string("unknown"))
      << ", charger " << watts << "\n";
  }
  if (s.storageAvailableBytes && s.storageCapacityBytes) {
    o << "Storage:           " << (*s.storageAvailableBytes >> 20) << " MiB free of "
      << (*s.storageCapacityBytes >> 20) << " MiB\n";
  }
  auto conds = conditionsWorstFirst(s.conditions);
  if (s.localBackupSince) {
    o << "Local backup:      backing up locally since " << when(s.localBackupSince) << "\n";
  }
  o << "Conditions:        " << (conds.empty() ? "none" : std::to_string(conds.size())) << "\n";
  for (const auto& c : conds) {
    o << "\n  [" << toString(c.severity) << "] " << terminalCell(c.id, 60) << " since "
      << when(c.since == TimePoint{} ? std::nullopt : std::optional(c.since)) << ", "
      << toString(c.confidence) << "\n";
    if (!c.summary.empty()) o << "    " << terminalCell(c.summary, 500) << "\n";
    for (const auto& [k, v] : c.evidence) {
      o << "    evidence: " << terminalCell(k, 80) << " = " << terminalCell(v, 200) << "\n";
    }
    if (!c.fix.empty()) o << "    fix: " << terminalCell(c.fix, 1000) << "\n";
  }
  return o.str();
}

}  // namespace ibackupmon

// SPDX-License-Identifier: Apache-2.0
// fleetToToml: the --write-fleet format, readable by parseFleet.
#include <sstream>

#include <nlohmann/json.hpp>

#include "device_values.h"
#include "fleet_toml.h"

namespace sim {
namespace {

// JSON string escaping is valid TOML basic-string escaping for everything we write.
std::string quote(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string tomlValue(const ValueSpec& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    std::ostringstream o;
    o << *d;
    std::string s = o.str();
    return s.find_first_of(".eE") == std::string::npos ? s + ".0" : s;
  }
  return quote(std::get<std::string>(v));
}

void writeFaults(std::ostringstream& o, const FaultSet& f) {
  std::ostringstream body;
  if (f.passcodeLocked) body << "passcode_locked = true\n";
  if (f.trustPending) body << "trust_pending = true\n";
  if (f.trustDenied) body << "trust_denied = true\n";
  if (f.noPairRecord) body << "no_pair_record = true\n";
  if (f.invalidHostId) body << "invalid_host_id = true\n";
  if (f.hang) body << "hang = true\n";
  if (!f.getProhibited.empty()) {
    body << "get_prohibited = [";
    bool first = true;
    for (const auto& d : f.getProhibited)
      body << (first ? "" : ", ") << quote(d.empty() ? "-" : d), first = false;
    body << "]\n";
  }
  if (f.dropMidSession) body << "drop_mid_session = " << f.dropMidSession << "\n";
  if (f.slowMs) body << "slow_ms = " << f.slowMs << "\n";
  if (f.detachDuringSession) body << "detach_during_session = " << f.detachDuringSession << "\n";
  if (f.binaryPlist) body << "binary_plist = true\n";
  if (f.pairRecordUnreadable) body << "pair_record_unreadable = true\n";
  if (f.restartNoReturn) body << "restart_no_return = true\n";
  if (f.diagnosticsOneRequest) body << "diagnostics_one_request = true\n";
  if (!body.str().empty()) o << "[device.faults]\n" << body.str();
}

void writeDevice(std::ostringstream& o, const DeviceSpec& d) {
  o << "\n[[device]]\nudid = " << quote(d.udid) << "\n";
  if (!d.situation.empty()) o << "situation = " << quote(d.situation) << "\n";
  if (d.network) o << "connection = \"network\"\n";
  if (!d.attached) o << "attached = false\n";
  if (d.clockSkewSeconds) o << "clock_skew = " << d.clockSkewSeconds << "\n";
  if (d.wifiInterface != "AppleBCMWLANSkywalkInterface")
    o << "wifi_interface = " << quote(d.wifiInterface) << "\n";
  if (!d.wifiAssociated) o << "wifi_associated = false\n";
  if (!d.icloudAccount) o << "icloud_account = false\n";
  if (d.passcode) o << "passcode = true\n";
  if (d.restartSeconds != DeviceSpec{}.restartSeconds)
    o << "restart_seconds = " << d.restartSeconds << "\n";
  writeFaults(o, d.faults);
  if (std::string b = backupToToml(d.backup); !b.empty()) o << "[device.backup]\n" << b;
  for (const auto& [domain, keys] : d.values) {
    o << "[device.values." << quote(domain.empty() ? "default" : domain) << "]\n";
    for (const auto& [k, v] : keys) o << quote(k) << " = " << tomlValue(v) << "\n";
  }
  for (const auto& e : d.timeline) {
    o << "[[device.timeline]]\nat = " << quote(ibackupmon::formatDuration(e.at))
      << "\naction = " << quote(e.action) << "\n";
    if (!e.domain.empty()) o << "domain = " << quote(e.domain) << "\n";
    if (!e.key.empty()) o << "key = " << quote(e.key) << "\nvalue = " << tomlValue(e.value) << "\n";
    if (!e.fault.empty()) o << "fault = " << quote(e.fault) << "\n";
    if (!e.faultArg.empty()) o << "arg = " << quote(e.faultArg) << "\n";
  }
}

}  // namespace

std::string fleetToToml(const Fleet& fleet) {
  std::ostringstream o;
  o << "# ibackupmon-sim fleet (format: docs/simulator.md)\n";
  for (const auto& d : fleet.devices) writeDevice(o, d);
  return o.str();
}

}  // namespace sim

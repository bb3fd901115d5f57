// SPDX-License-Identifier: Apache-2.0
#include "fleet.h"

#include <charconv>

namespace sim {
namespace {

bool parseCount(const std::string& arg, int& out) {
  int v = 0;
  auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), v);
  if (ec != std::errc() || p != arg.data() + arg.size() || v < 0) return false;
  out = v;
  return true;
}

std::string setCount(int& field, const std::string& name, const std::string& arg, int dflt) {
  if (arg.empty()) {
    field = dflt;
    return "";
  }
  if (!parseCount(arg, field))
    return "fault " + name + ": expected a non-negative integer, found '" + arg + "'";
  return "";
}

}  // namespace

std::string applyFault(FaultSet& f, const std::string& name, const std::string& arg) {
  if (name == "passcode_locked")
    f.passcodeLocked = true;
  else if (name == "trust_pending")
    f.trustPending = true, f.trustDenied = false;
  else if (name == "trust_denied")
    f.trustDenied = true, f.trustPending = false;
  else if (name == "no_pair_record")
    f.noPairRecord = true;
  else if (name == "invalid_host_id")
    f.invalidHostId = true;
  else if (name == "hang")
    f.hang = true;
  else if (name == "get_prohibited") {
    if (arg.empty()) return "fault get_prohibited: needs a DOMAIN argument";
    f.getProhibited.insert(arg == "-" ? "" : arg);
  } else if (name == "drop_mid_session")
    return setCount(f.dropMidSession, name, arg, 3);
  else if (name == "slow_ms")
    return setCount(f.slowMs, name, arg, 1000);
  else if (name == "detach_during_session")
    return setCount(f.detachDuringSession, name, arg, 5);
  else if (name == "binary_plist")
    f.binaryPlist = true;
  else
    return "unknown fault '" + name +
           "' (known: passcode_locked, trust_pending, trust_denied, "
           "no_pair_record, invalid_host_id, hang, get_prohibited, drop_mid_session, slow_ms, "
           "detach_during_session, binary_plist)";
  return "";
}

std::string clearFault(FaultSet& f, const std::string& name) {
  if (name.empty())
    f = FaultSet{};
  else if (name == "passcode_locked")
    f.passcodeLocked = false;
  else if (name == "trust_pending")
    f.trustPending = false;
  else if (name == "trust_denied")
    f.trustDenied = false;
  else if (name == "no_pair_record")
    f.noPairRecord = false;
  else if (name == "invalid_host_id")
    f.invalidHostId = false;
  else if (name == "hang")
    f.hang = false;
  else if (name == "get_prohibited")
    f.getProhibited.clear();
  else if (name == "drop_mid_session")
    f.dropMidSession = 0;
  else if (name == "slow_ms")
    f.slowMs = 0;
  else if (name == "detach_during_session")
    f.detachDuringSession = 0;
  else if (name == "binary_plist")
    f.binaryPlist = false;
  else
    return "unknown fault '" + name + "'";
  return "";
}

std::vector<std::string> describeFaults(const FaultSet& f) {
  std::vector<std::string> out;
  if (f.passcodeLocked) out.push_back("passcode_locked");
  if (f.trustPending) out.push_back("trust_pending");
  if (f.trustDenied) out.push_back("trust_denied");
  if (f.noPairRecord) out.push_back("no_pair_record");
  if (f.invalidHostId) out.push_back("invalid_host_id");
  if (f.hang) out.push_back("hang");
  for (const auto& d : f.getProhibited) out.push_back("get_prohibited=" + (d.empty() ? "-" : d));
  if (f.dropMidSession) out.push_back("drop_mid_session=" + std::to_string(f.dropMidSession));
  if (f.slowMs) out.push_back("slow_ms=" + std::to_string(f.slowMs));
  if (f.detachDuringSession) {
    out.push_back("detach_during_session=" + std::to_string(f.detachDuringSession));
  }
  if (f.binaryPlist) out.push_back("binary_plist");
  return out;
}

}  // namespace sim

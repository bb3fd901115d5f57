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

// One named fault: a flag, a count (with the value a bare name sets) or, with neither, the set of
// prohibited domains.
struct FaultKind {
  const char* name;
  bool FaultSet::*flag = nullptr;
  bool FaultSet::*excludes = nullptr;  // the flag that setting this one clears
  int FaultSet::*count = nullptr;
  int dflt = 0;
};

const FaultKind kFaults[] = {
    {"passcode_locked", &FaultSet::passcodeLocked},
    {"trust_pending", &FaultSet::trustPending, &FaultSet::trustDenied},
    {"trust_denied", &FaultSet::trustDenied, &FaultSet::trustPending},
    {"no_pair_record", &FaultSet::noPairRecord},
    {"invalid_host_id", &FaultSet::invalidHostId},
    {"hang", &FaultSet::hang},
    {"get_prohibited"},
    {"drop_mid_session", nullptr, nullptr, &FaultSet::dropMidSession, 3},
    {"slow_ms", nullptr, nullptr, &FaultSet::slowMs, 1000},
    {"detach_during_session", nullptr, nullptr, &FaultSet::detachDuringSession, 5},
    {"binary_plist", &FaultSet::binaryPlist},
    {"pair_record_unreadable", &FaultSet::pairRecordUnreadable},
    {"restart_no_return", &FaultSet::restartNoReturn},
    {"diagnostics_one_request", &FaultSet::diagnosticsOneRequest},
};

const FaultKind* findFault(const std::string& name) {
  for (const auto& k : kFaults) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

}  // namespace

std::string applyFault(FaultSet& f, const std::string& name, const std::string& arg) {
  const FaultKind* k = findFault(name);
  if (k == nullptr) {
    std::string known;
    for (const auto& each : kFaults) known += (known.empty() ? "" : ", ") + std::string(each.name);
    return "unknown fault '" + name + "' (known: " + known + ")";
  }
  if (k->flag) {
    f.*k->flag = true;
    if (k->excludes) f.*k->excludes = false;
  } else if (k->count) {
    return setCount(f.*k->count, name, arg, k->dflt);
  } else {
    if (arg.empty()) return "fault get_prohibited: needs a DOMAIN argument";
    f.getProhibited.insert(arg == "-" ? "" : arg);
  }
  return "";
}

std::string clearFault(FaultSet& f, const std::string& name) {
  if (name.empty()) {
    f = FaultSet{};
    return "";
  }
  const FaultKind* k = findFault(name);
  if (k == nullptr) return "unknown fault '" + name + "'";
  if (k->flag)
    f.*k->flag = false;
  else if (k->count)
    f.*k->count = 0;
  else
    f.getProhibited.clear();
  return "";
}

std::vector<std::string> describeFaults(const FaultSet& f) {
  std::vector<std::string> out;
  for (const auto& k : kFaults) {
    if (k.flag) {
      if (f.*k.flag) out.push_back(k.name);
    } else if (k.count) {
      if (f.*k.count) out.push_back(k.name + ("=" + std::to_string(f.*k.count)));
    } else {
      for (const auto& d : f.getProhibited) {
        out.push_back("get_prohibited=" + (d.empty() ? "-" : d));
      }
    }
  }
  return out;
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
// LockdownSession: the requests that read or change device state.
#include <chrono>

#include "device_values.h"
#include "lockdown_session.h"

namespace sim {
namespace {

const char* const kServices[] = {
    "com.apple.mobile.diagnostics_relay",  "com.apple.mobilebackup2",
    "com.apple.mobile.notification_proxy", "com.apple.afc",
    "com.apple.mobile.installation_proxy", "com.apple.springboardservices"};

double deviceClock(const SimDevice& d) {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count() +
         static_cast<double>(d.spec.clockSkewSeconds);
}

std::string newUuid(uint64_t seed) {
  char buf[37];
  uint64_t a = udidHash(std::to_string(seed) + "a"), b = udidHash(std::to_string(seed) + "b");
  std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%04X-%012llX", unsigned(a >> 32),
                unsigned(a >> 16) & 0xffff, unsigned(a) & 0xffff, unsigned(b >> 48) & 0xffff,
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace

Plist LockdownSession::getValue(const LockdownRequest& req, std::string& result) {
  std::string domain = dictString(req.body.get(), "Domain").value_or("");
  std::string key = dictString(req.body.get(), "Key").value_or("");
  const FaultSet& f = device_.spec.faults;
  // Without a session only the default domain is readable, as on a real device.
  if (f.getProhibited.count(domain) || (sessionId_.empty() && !domain.empty())) {
    result = "GetProhibited";
    return lockdownError(req.name, result);
  }
  Plist value;
  if (domain.empty() && key == "TimeIntervalSince1970") {
    value = Plist(plist_new_real(deviceClock(device_)));
  } else {
    value = copyPlist(device_.value(domain, key));
    if (value && domain.empty() && key.empty()) {
      dictSet(value.get(), "TimeIntervalSince1970", plist_new_real(deviceClock(device_)));
    }
  }
  if (!value) {
    result = "MissingValue";
    return lockdownError(req.name, result);
  }
  Plist p = newDict();
  if (!domain.empty()) dictSetString(p.get(), "Domain", domain);
  if (!key.empty()) dictSetString(p.get(), "Key", key);
  dictSetString(p.get(), "Request", req.name);
  dictSet(p.get(), "Value", value.release());
  return p;
}

Plist LockdownSession::setValue(const LockdownRequest& req, std::string& result) {
  std::string domain = dictString(req.body.get(), "Domain").value_or("");
  std::string key = dictString(req.body.get(), "Key").value_or("");
  if (sessionId_.empty()) {
    result = req.name == "SetValue" ? "SetProhibited" : "RemoveProhibited";
    return lockdownError(req.name, result);
  }
  if (key.empty()) {
    result = "MissingKey";
    return lockdownError(req.name, result);
  }
  if (req.name == "SetValue") {
    plist_t v = plist_dict_get_item(req.body.get(), "Value");
    if (!v) {
      result = "MissingValue";
      return lockdownError(req.name, result);
    }
    device_.setValue(domain, key, copyPlist(v));
  } else if (auto it = device_.domains.find(domain); it != device_.domains.end()) {
    plist_dict_remove_item(it->second.get(), key.c_str());
  }
  Plist p = newDict();
  if (!domain.empty()) dictSetString(p.get(), "Domain", domain);
  dictSetString(p.get(), "Key", key);
  dictSetString(p.get(), "Request", req.name);
  return p;
}

Plist LockdownSession::pair(const LockdownRequest& req, std::string& result) {
  plist_t record = plist_dict_get_item(req.body.get(), "PairRecord");
  std::string hostId = dictString(record, "HostID").value_or("");
  const FaultSet& f = device_.spec.faults;
  if (req.name == "Unpair") {
    device_.trustedHostIds.erase(hostId);
  } else if (req.name == "ValidatePair") {
    if (!device_.trustedHostIds.count(hostId)) result = "InvalidHostID";
  } else if (hostId.empty()) {
    result = "MissingHostID";
  } else if (f.passcodeLocked) {
    result = "PasswordProtected";
  } else if (f.trustDenied) {
    result = "UserDeniedPairing";
  } else if (f.trustPending) {
    result = "PairingDialogResponsePending";
  } else {
    device_.trustedHostIds.insert(hostId);
  }
  if (result != "ok") return lockdownError(req.name, result);
  Plist p = newDict();
  dictSetString(p.get(), "Request", req.name);
  if (req.name == "Pair") {
    std::string bag = "escrow:" + hostId;
    dictSet(p.get(), "EscrowBag", plist_new_data(bag.data(), bag.size()));
  }
  return p;
}

Plist LockdownSession::startSession(const LockdownRequest& req, After& after, std::string& result) {
  auto hostId = dictString(req.body.get(), "HostID");
  if (!hostId)
    result = "MissingHostID";
  else if (!device_.trustedHostIds.count(*hostId))
    result = "InvalidHostID";
  else if (device_.spec.faults.passcodeLocked)
    result = "PasswordProtected";
  if (result != "ok") return lockdownError(req.name, result);
  sessionId_ = newUuid(++device_.sessions ^ udidHash(device_.spec.udid));
  Plist p = newDict();
  dictSetString(p.get(), "Request", req.name);
  dictSetString(p.get(), "SessionID", sessionId_);
  dictSet(p.get(), "EnableSessionSSL", plist_new_bool(1));
  after = After::kStartTls;
  return p;
}

Plist LockdownSession::startService(const LockdownRequest& req, std::string& result) {
  std::string service = dictString(req.body.get(), "Service").value_or("");
  bool known = false;
  for (const char* s : kServices) known = known || service == s;
  if (sessionId_.empty())
    result = "SessionInactive";
  else if (service.empty())
    result = "MissingService";
  else if (!known)
    result = "InvalidService";
  if (result != "ok") return lockdownError(req.name, result);
  Plist p = newDict();
  dictSetString(p.get(), "Request", req.name);
  dictSetString(p.get(), "Service", service);
  dictSet(p.get(), "Port", plist_new_uint(device_.openService(service)));
  dictSet(p.get(), "EnableServiceSSL", plist_new_bool(0));
  return p;
}

}  // namespace sim

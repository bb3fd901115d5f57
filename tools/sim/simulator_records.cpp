// SPDX-License-Identifier: Apache-2.0
// Simulator: usbmuxd's pair record store and the fleet timeline.
#include "device_values.h"
#include "simulator.h"

namespace sim {
namespace {

void setPem(plist_t d, const char* key, const std::string& pem) {
  plist_dict_set_item(d, key, plist_new_data(pem.data(), pem.size()));
}

}  // namespace

Plist Simulator::readPairRecord(const std::string& udid) const {
  if (auto it = savedRecords_.find(udid); it != savedRecords_.end())
    return copyPlist(it->second.get());
  if (recordDeleted_.count(udid)) return nullptr;
  auto it = byUdid_.find(udid);
  if (it == byUdid_.end()) return nullptr;
  const SimDevice& d = *it->second;
  if (!d.recordOnHost) return nullptr;
  // Built on demand: ~10 KB each would cost 10 MB held for a thousand devices.
  Plist r = newDict();
  setPem(r.get(), "DeviceCertificate", pki_->deviceCertPem);
  setPem(r.get(), "HostCertificate", pki_->hostCertPem);
  setPem(r.get(), "HostPrivateKey", pki_->hostKeyPem);
  setPem(r.get(), "RootCertificate", pki_->rootCertPem);
  setPem(r.get(), "RootPrivateKey", pki_->rootKeyPem);
  dictSetString(r.get(), "HostID", d.hostId);
  dictSetString(r.get(), "SystemBUID", systemBuid_);
  std::string bag = "escrow:" + d.hostId;
  plist_dict_set_item(r.get(), "EscrowBag", plist_new_data(bag.data(), bag.size()));
  plist_t wifi = d.value("", "WiFiAddress");
  dictSetString(r.get(), "WiFiMACAddress", wifi ? describeValue(wifi) : "");
  return r;
}

void Simulator::savePairRecord(const std::string& udid, Plist record) {
  recordDeleted_.erase(udid);
  savedRecords_[udid] = std::move(record);
}

bool Simulator::deletePairRecord(const std::string& udid) {
  bool had = static_cast<bool>(readPairRecord(udid));
  savedRecords_.erase(udid);
  recordDeleted_[udid] = true;
  return had;
}

std::string Simulator::applyDeviceFault(const std::string& udid, const std::string& name,
                                        const std::string& arg) {
  SimDevice* d = byUdid(udid);
  if (!d) return "unknown device " + udid;
  std::string err = applyFault(d->spec.faults, name, arg);
  if (!err.empty()) return err;
  if (name == "trust_pending" || name == "trust_denied" || name == "no_pair_record") {
    d->recordOnHost = false;
    savedRecords_.erase(udid);
    d->trustedHostIds.clear();
  } else if (name == "invalid_host_id") {
    d->trustedHostIds.clear();
  }
  return "";
}

void Simulator::scheduleTimeline(const DeviceSpec& spec) {
  for (const TimelineEntry& e : spec.timeline) {
    auto timer = std::make_shared<asio::steady_timer>(io_, e.at);
    timer->async_wait([this, udid = spec.udid, e, timer](const boost::system::error_code& ec) {
      if (!ec) runTimelineEntry(udid, e);
    });
  }
}

void Simulator::runTimelineEntry(const std::string& udid, const TimelineEntry& e) {
  std::string result = "ok";
  SimDevice* d = byUdid(udid);
  if (!d) return;
  if (e.action == "attach") {
    attach(udid);
  } else if (e.action == "detach") {
    detach(udid);
  } else if (e.action == "set") {
    std::string err = setValue(udid, e.domain, e.key, e.value);
    if (!err.empty()) result = err;
  } else if (e.action == "fault") {
    std::string err = applyDeviceFault(udid, e.fault, e.faultArg);
    if (!err.empty()) result = err;
  } else if (e.action == "clear-fault") {
    clearFault(d->spec.faults, e.fault);
  }
  events_.record({"sim", "timeline:" + e.action, udid, e.domain, e.key, e.fault, result});
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "simulator.h"

#include <cstdio>

#include "device_values.h"

namespace sim {
namespace {

std::string uuidFrom(uint64_t a, uint64_t b) {
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%04X-%012llX", unsigned(a >> 32),
                unsigned(a >> 16) & 0xffff, unsigned(a) & 0xffff, unsigned(b >> 48) & 0xffff,
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace

Simulator::Simulator(asio::io_context& io, std::shared_ptr<const Pki> pki,
                     std::shared_ptr<TlsServerContext> tls, EventLog& events)
    : io_(io), pki_(std::move(pki)), tls_(std::move(tls)), events_(events) {
  systemBuid_ = uuidFrom(udidHash("ibackupmon-sim system"), udidHash("buid"));
}

ibackupmon::Expected<void> Simulator::load(const Fleet& fleet) {
  auto now = std::chrono::system_clock::now();
  for (const DeviceSpec& spec : fleet.devices) {
    if (byUdid_.count(spec.udid)) {
      return ibackupmon::makeError("duplicate_udid", "device " + spec.udid + " listed twice");
    }
    auto domains = buildDomains(spec, pki_->devicePublicKeyPem, now);
    if (!domains) return tl::unexpected(domains.error());
    auto dev = std::make_unique<SimDevice>();
    dev->spec = spec;
    dev->domains = std::move(*domains);
    dev->hostId = uuidFrom(udidHash(spec.udid), udidHash(spec.udid + "host"));
    const FaultSet& f = spec.faults;
    dev->recordOnHost = !(f.trustPending || f.trustDenied || f.noPairRecord);
    if (dev->recordOnHost && !f.invalidHostId) dev->trustedHostIds.insert(dev->hostId);
    byUdid_[spec.udid] = dev.get();
    devices_.push_back(std::move(dev));
    if (spec.attached) attach(spec.udid);
    scheduleTimeline(spec);
  }
  return {};
}

SimDevice* Simulator::byUdid(const std::string& udid) {
  auto it = byUdid_.find(udid);
  return it == byUdid_.end() ? nullptr : it->second;
}

SimDevice* Simulator::byDeviceId(uint32_t id) {
  for (auto& d : devices_) {
    if (d->attached && d->deviceId == id) return d.get();
  }
  return nullptr;
}

Plist Simulator::properties(const SimDevice& d) const {
  Plist p = newDict();
  dictSet(p.get(), "DeviceID", plist_new_uint(d.deviceId));
  dictSetString(p.get(), "SerialNumber", d.spec.udid);
  if (d.spec.network) {
    dictSetString(p.get(), "ConnectionType", "Network");
    // BSD sockaddr_in as usbmuxd forwards it: len, family (AF_INET=2), port, address.
    const char addr[16] = {16,
                           2,
                           0,
                           0,
                           static_cast<char>(192),
                           static_cast<char>(168),
                           1,
                           static_cast<char>(10 + d.deviceId % 200)};
    dictSet(p.get(), "NetworkAddress", plist_new_data(addr, sizeof addr));
    dictSetString(p.get(), "EscapedFullServiceName", d.spec.udid + "._apple-mobdev2._tcp.local.");
    dictSet(p.get(), "InterfaceIndex", plist_new_uint(2));
  } else {
    dictSetString(p.get(), "ConnectionType", "USB");
    dictSet(p.get(), "ConnectionSpeed", plist_new_uint(480000000));
    dictSet(p.get(), "LocationID", plist_new_uint(0x01100000u + d.deviceId));
    dictSet(p.get(), "ProductID", plist_new_uint(d.isIpad() ? 0x12ab : 0x12a8));
    dictSetString(p.get(), "USBSerialNumber", d.spec.udid);
  }
  return p;
}

Plist Simulator::attachedMessage(const SimDevice& d) const {
  Plist m = newDict();
  dictSet(m.get(), "DeviceID", plist_new_uint(d.deviceId));
  dictSetString(m.get(), "MessageType", "Attached");
  dictSet(m.get(), "Properties", properties(d).release());
  return m;
}

const std::string& Simulator::deviceListXml() {
  if (listDirty_) {
    Plist reply = newDict();
    plist_t list = plist_new_array();
    for (const auto& d : devices_) {
      if (d->attached) plist_array_append_item(list, attachedMessage(*d).release());
    }
    dictSet(reply.get(), "DeviceList", list);
    listXml_ = toXml(reply.get());
    listDirty_ = false;
  }
  return listXml_;
}

void Simulator::addListener(ListenerPush push) {
  for (const auto& d : devices_) {
    if (d->attached && !push(toXml(attachedMessage(*d).get()))) return;
  }
  listeners_.push_back(std::move(push));
}

void Simulator::broadcast(plist_t message) {
  if (usbmuxdWedged()) return;  // a hung usbmuxd pushes nothing
  std::string xml = toXml(message);
  std::erase_if(listeners_, [&](const ListenerPush& l) { return !l(xml); });
}

bool Simulator::attach(const std::string& udid) {
  SimDevice* d = byUdid(udid);
  if (!d || d->attached) return false;
  d->attached = true;
  d->deviceId = nextDeviceId_++;
  listDirty_ = true;
  broadcast(attachedMessage(*d).get());
  return true;
}

bool Simulator::detach(const std::string& udid) {
  SimDevice* d = byUdid(udid);
  if (!d || !d->attached) return false;
  d->attached = false;
  d->servicePorts.clear();
  listDirty_ = true;
  Plist m = newDict();
  dictSet(m.get(), "DeviceID", plist_new_uint(d->deviceId));
  dictSetString(m.get(), "MessageType", "Detached");
  broadcast(m.get());
  closeDevice(udid);
  return true;
}

void Simulator::detachFor(const std::string& udid, int seconds) {
  detach(udid);
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(seconds));
  timer->async_wait([this, udid, timer](const boost::system::error_code& ec) {
    if (!ec && attach(udid)) events_.record({"sim", "attach", udid, "", "", "", "ok"});
  });
}

void Simulator::restart(const std::string& udid) {
  SimDevice* d = byUdid(udid);
  if (d == nullptr) return;
  events_.record({"sim", "restart", udid, "", "", "", "ok"});
  if (d->spec.faults.restartNoReturn) {
    detach(udid);
    return;
  }
  // Locked before first unlock: set now, so no session slips in between attach and lock.
  if (d->spec.passcode) d->spec.faults.passcodeLocked = true;
  detachFor(udid, d->spec.restartSeconds);
}

void Simulator::track(const std::string& udid, std::weak_ptr<Closable> c) {
  if (connections_.size() > 4096) {
    std::erase_if(connections_, [](const auto& kv) { return kv.second.expired(); });
  }
  connections_.emplace(udid, std::move(c));
}

void Simulator::closeDevice(const std::string& udid) {
  auto [lo, hi] = connections_.equal_range(udid);
  std::vector<std::shared_ptr<Closable>> live;
  for (auto it = lo; it != hi; ++it) {
    if (auto c = it->second.lock()) live.push_back(std::move(c));
  }
  connections_.erase(lo, hi);
  for (auto& c : live) c->close();
}

void Simulator::wedgeUsbmuxd(int seconds) {
  wedgedUntil_ = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  if (wedgeTimer_) wedgeTimer_->cancel();
  wedgeTimer_ = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(seconds));
  wedgeTimer_->async_wait([this, timer = wedgeTimer_](const boost::system::error_code& ec) {
    if (!ec) events_.record({"sim", "usbmuxd-answers", "", "", "", "", "ok"});
  });
}

void Simulator::closeAllConnections() {
  std::vector<std::shared_ptr<Closable>> live;
  for (auto& [udid, weak] : connections_) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  connections_.clear();
  listeners_.clear();
  for (auto& c : live) c->close();
}

void Simulator::renumber() {
  for (auto& d : devices_) {
    if (d->attached) {
      d->deviceId = nextDeviceId_++;
      d->servicePorts.clear();
    }
  }
  listDirty_ = true;
}

std::string Simulator::setValue(const std::string& udid, const std::string& domain,
                                const std::string& key, const ValueSpec& value) {
  SimDevice* d = byUdid(udid);
  if (!d) return "unknown device " + udid;
  auto node = makeValue(value, std::chrono::system_clock::now());
  if (!node) return node.error().message;
  d->setValue(domain, key, std::move(*node));
  if (domain.empty() && key == "ProductType") listDirty_ = true;
  return "";
}

}  // namespace sim

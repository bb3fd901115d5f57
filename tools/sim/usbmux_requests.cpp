// SPDX-License-Identifier: Apache-2.0
// usbmuxd requests answered with a single reply (everything but Listen and Connect).
#include "device_connection.h"
#include "usbmux_packet.h"
#include "usbmux_server.h"

namespace sim {
namespace {

constexpr uint16_t kLockdownPort = 62078;

std::string readPairRecordReply(Simulator& sim, plist_t body, uint32_t tag, std::string& result) {
  std::string id = dictString(body, "PairRecordID").value_or("");
  if (const SimDevice* d = sim.byUdid(id); d != nullptr && d->spec.faults.pairRecordUnreadable) {
    result = "closed";
    return {};  // no reply: the connection is closed
  }
  Plist record = sim.readPairRecord(id);
  if (!record) {
    result = "2";
    return encodeUsbmuxResult(tag, kResultBadDevice);  // ENOENT, as usbmuxd sends it
  }
  std::string xml = toXml(record.get());
  Plist reply = newDict();
  dictSet(reply.get(), "PairRecordData", plist_new_data(xml.data(), xml.size()));
  result = "ok";
  return encodeUsbmuxPlist(tag, reply.get());
}

std::string savePairRecordReply(Simulator& sim, plist_t body, uint32_t tag, std::string& result) {
  std::string id = dictString(body, "PairRecordID").value_or("");
  plist_t data = plist_dict_get_item(body, "PairRecordData");
  Plist record;
  if (data && plist_get_node_type(data) == PLIST_DATA) {
    char* bytes = nullptr;
    uint64_t len = 0;
    plist_get_data_val(data, &bytes, &len);
    record = parsePlist(std::string_view(bytes ? bytes : "", bytes ? len : 0));
    std::free(bytes);
  }
  if (id.empty() || !record || plist_get_node_type(record.get()) != PLIST_DICT) {
    result = "22";
    return encodeUsbmuxResult(tag, 22);  // EINVAL
  }
  sim.savePairRecord(id, std::move(record));
  result = "ok";
  return encodeUsbmuxResult(tag, kResultOk);
}

}  // namespace

ConnectTarget resolveConnect(Simulator& sim, plist_t body) {
  ConnectTarget t;
  auto id = dictUint(body, "DeviceID");
  auto port = dictUint(body, "PortNumber");
  SimDevice* d = id ? sim.byDeviceId(static_cast<uint32_t>(*id)) : nullptr;
  if (!d || !port) {
    t.result = kResultBadDevice;
    return t;
  }
  t.udid = d->spec.udid;
  // libusbmuxd sends the port in network byte order inside the plist integer.
  auto p = static_cast<uint16_t>(*port);
  auto host = static_cast<uint16_t>((p >> 8) | (p << 8));
  if (host == kLockdownPort) {
    t.service = "lockdownd";
  } else {
    t.service = d->takeService(host);
    if (t.service.empty()) {
      t.result = kResultConnRefused;
      return t;
    }
  }
  t.result = kResultOk;
  return t;
}

std::string handleSimpleRequest(Simulator& sim, const UsbmuxRequest& req, uint32_t tag,
                                std::string& result) {
  const std::string& type = req.messageType;
  result = "ok";
  if (type == "ListDevices") {
    return encodeUsbmuxXml(tag, sim.deviceListXml());
  }
  if (type == "ReadBUID") {
    Plist reply = newDict();
    dictSetString(reply.get(), "BUID", sim.systemBuid());
    return encodeUsbmuxPlist(tag, reply.get());
  }
  if (type == "ReadPairRecord") return readPairRecordReply(sim, req.body.get(), tag, result);
  if (type == "SavePairRecord") return savePairRecordReply(sim, req.body.get(), tag, result);
  if (type == "DeletePairRecord") {
    bool had = sim.deletePairRecord(dictString(req.body.get(), "PairRecordID").value_or(""));
    result = had ? "ok" : "2";
    return encodeUsbmuxResult(tag, had ? kResultOk : kResultBadDevice);
  }
  result = "1";
  return encodeUsbmuxResult(tag, kResultBadCommand);
}

}  // namespace sim

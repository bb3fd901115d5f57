// SPDX-License-Identifier: Apache-2.0
// com.apple.mobilebackup2: the DeviceLink version exchange (major 400 from iOS 14, 300 before),
// Hello, EnableCloudBackup (what `idevicebackup2 cloud on|off` needs) and Backup
// (backup_session.cpp). Other requests are refused with an ErrorCode.
#include "service.h"

namespace sim {
namespace {

const std::string kMobileBackup2Service = "com.apple.mobilebackup2";

Plist dlMessage(const char* name) {
  Plist a(plist_new_array());
  plist_array_append_item(a.get(), plist_new_string(name));
  return a;
}

std::string arrayHead(plist_t a) {
  if (!a || plist_get_node_type(a) != PLIST_ARRAY || plist_array_get_size(a) == 0) return "";
  plist_t n = plist_array_get_item(a, 0);
  if (plist_get_node_type(n) != PLIST_STRING) return "";
  return describeValue(n);
}

Plist processReply(plist_t content) {
  Plist a = dlMessage("DLMessageProcessMessage");
  plist_array_append_item(a.get(), content);
  return a;
}

Plist handleProcessMessage(SimDevice& device, plist_t dict, std::string& name) {
  name = dictString(dict, "MessageName").value_or("");
  plist_t reply = plist_new_dict();
  if (name == "Hello") {
    plist_dict_set_item(reply, "MessageName", plist_new_string("Response"));
    plist_dict_set_item(reply, "ErrorCode", plist_new_uint(0));
    plist_dict_set_item(reply, "ProtocolVersion", plist_new_real(2.1));
  } else if (name == "EnableCloudBackup") {
    // libimobiledevice sends CloudBackupState in Options and copies it to the top level.
    plist_t opts = plist_dict_get_item(dict, "Options");
    bool on = dictBool(dict, "CloudBackupState")
                  .value_or(dictBool(opts, "CloudBackupState").value_or(false));
    device.setValue("com.apple.mobile.backup", "CloudBackupEnabled", Plist(plist_new_bool(on)));
    plist_dict_set_item(reply, "ErrorCode", plist_new_uint(0));
  } else {
    plist_dict_set_item(reply, "ErrorCode", plist_new_uint(1));
    plist_dict_set_item(reply, "ErrorDescription",
                        plist_new_string("Not supported by ibackupmon-sim"));
  }
  return processReply(reply);
}

/// The DeviceLink major version the device offers: 400 from iOS 14 on, 300 before.
uint64_t deviceLinkMajor(const SimDevice& device) {
  plist_t v = device.value("", "ProductVersion");
  std::string text = v && plist_get_node_type(v) == PLIST_STRING ? describeValue(v) : "";
  int major = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
    if (major > 1000) break;
  }
  return major >= 14 ? 400 : 300;
}

}  // namespace

Task<void> serveMobileBackup2(Simulator& sim, SimDevice& device, FrameStream& stream) {
  Plist hello = dlMessage("DLMessageVersionExchange");
  uint64_t major = deviceLinkMajor(device);
  plist_array_append_item(hello.get(), plist_new_uint(major));
  plist_array_append_item(hello.get(), plist_new_uint(0));
  bool sentHello = co_await stream.writePlist(hello.get(), true);
  if (!sentHello) co_return;
  auto answer = co_await stream.readFrame();
  if (!answer) co_return;
  Plist ok = parsePlist(*answer);
  if (arrayHead(ok.get()) != "DLMessageVersionExchange") co_return;
  sim.events().record({"service", "DLMessageVersionExchange", device.spec.udid, "",
                       std::to_string(major), kMobileBackup2Service, "ok"});
  Plist ready = dlMessage("DLMessageDeviceReady");
  bool sentReady = co_await stream.writePlist(ready.get(), true);
  if (!sentReady) co_return;
  for (;;) {
    auto frame = co_await stream.readFrame();
    if (!frame) break;
    Plist msg = parsePlist(*frame);
    std::string head = arrayHead(msg.get());
    if (head != "DLMessageProcessMessage") {
      sim.events().record({"service", head.empty() ? "(malformed)" : head, device.spec.udid, "", "",
                           kMobileBackup2Service, "ok"});
      break;  // DLMessageDisconnect, or garbage
    }
    plist_t request = plist_array_get_item(msg.get(), 1);
    if (dictString(request, "MessageName").value_or("") == "Backup") {
      co_await runBackup(sim, device, stream, request);
      continue;
    }
    std::string name;
    Plist reply = handleProcessMessage(device, plist_array_get_item(msg.get(), 1), name);
    sim.events().record({"service", name, device.spec.udid, "com.apple.mobile.backup",
                         name == "EnableCloudBackup" ? "CloudBackupEnabled" : "",
                         kMobileBackup2Service, "ok"});
    bool sent = co_await stream.writePlist(reply.get(), true);
    if (!sent) break;
  }
}

}  // namespace sim

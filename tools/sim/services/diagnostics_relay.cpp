// SPDX-License-Identifier: Apache-2.0
// com.apple.mobile.diagnostics_relay: Restart/Shutdown/Sleep and IORegistry queries.
#include "service.h"

#include "../power_source.h"

namespace sim {
namespace {

const std::string kDiagnosticsRelayService = "com.apple.mobile.diagnostics_relay";

Plist status(const char* s) {
  Plist p = newDict();
  dictSetString(p.get(), "Status", s);
  return p;
}

/// The battery entry (power_source.h) or the Wi-Fi interface entry when the query names its
/// class or name; empty dict otherwise.
plist_t ioregistryEntry(const SimDevice& d, plist_t req) {
  std::string name = dictString(req, "EntryName").value_or("");
  std::string cls = dictString(req, "EntryClass").value_or("");
  if (asksForPowerSource(name, cls)) return powerSourceEntry(d.spec.udid, d.domains).release();
  const std::string& wifi = d.spec.wifiInterface;
  plist_t entry = plist_new_dict();
  if (wifi.empty() || (name != wifi && cls != wifi && name != "en0")) return entry;
  // IOLinkStatus: kIONetworkLinkValid (1) | kIONetworkLinkActive (2) when associated.
  plist_dict_set_item(entry, "IOClass", plist_new_string(wifi.c_str()));
  plist_dict_set_item(entry, "BSD Name", plist_new_string("en0"));
  plist_dict_set_item(entry, "IOLinkStatus", plist_new_uint(d.spec.wifiAssociated ? 3 : 1));
  plist_dict_set_item(entry, "IOLinkSpeed", plist_new_uint(d.spec.wifiAssociated ? 866000000 : 0));
  plist_dict_set_item(entry, "IOInterfaceName", plist_new_string("en"));
  const char mac[6] = {static_cast<char>(0xa4), 1, 2, 3, 4, 5};
  plist_dict_set_item(entry, "IOMACAddress", plist_new_data(mac, sizeof mac));
  return entry;
}

Plist diagnostics(const char* key, plist_t value) {
  Plist p = status("Success");
  plist_t diag = plist_new_dict();
  plist_dict_set_item(diag, key, value);
  dictSet(p.get(), "Diagnostics", diag);
  return p;
}

Plist answer(const SimDevice& d, const std::string& request, plist_t req) {
  if (request == "Goodbye" || request == "Restart" || request == "Shutdown" || request == "Sleep") {
    return status("Success");
  }
  if (request == "IORegistry") return diagnostics("IORegistry", ioregistryEntry(d, req));
  if (request == "MobileGestalt") {
    plist_t mg = plist_new_dict();
    plist_dict_set_item(mg, "Status", plist_new_string("MobileGestaltDeprecated"));
    return diagnostics("MobileGestalt", mg);
  }
  if (request == "All" || request == "WiFi" || request == "GasGauge" || request == "NAND") {
    plist_t body = plist_new_dict();
    if (request == "WiFi") plist_dict_set_item(body, "Active", plist_new_bool(0));
    return diagnostics(request.c_str(), body);
  }
  return status("UnknownRequest");
}

}  // namespace

Task<void> serveDiagnosticsRelay(Simulator& sim, SimDevice& device, FrameStream& stream) {
  std::string pending;  // Restart/Shutdown happen once the client lets go
  for (;;) {
    auto frame = co_await stream.readFrame();
    if (!frame) break;
    auto [req, request] =
        takeMessage(sim, device, *frame, kDiagnosticsRelayService, "Request", "EntryClass");
    if (request.empty()) break;
    Plist reply = answer(device, request, req.get());
    bool sent = co_await stream.writePlist(reply.get());
    if (!sent) break;
    if (request == "Restart" || request == "Shutdown") pending = request;
    if (request == "Goodbye") break;
    if (device.spec.faults.diagnosticsOneRequest) break;
  }
  stream.close();
  if (pending == "Restart") sim.restart(device.spec.udid);
  if (pending == "Shutdown") sim.detach(device.spec.udid);
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
// com.apple.mobile.installation_proxy (Browse: the device's user apps, in one BrowsingApplications
// batch and then Complete; other commands get an Error) and com.apple.springboardservices
// (getIconPNGData: a 1x1 PNG for a known bundle, getIconState: the apps on one home screen page).
#include "service.h"

namespace sim {
namespace {

struct App {
  const char* bundleId;
  const char* name;
  const char* version;
};

// What a freshly set-up device with a few App Store apps lists.
const App kApps[] = {{"com.example.notes", "Field Notes", "3.2.1"},
                     {"com.example.scanner", "Cart Scanner", "1.14"},
                     {"com.example.training", "Training", "7.0"}};

const unsigned char kPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47,
    0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

plist_t appEntry(const App& a) {
  plist_t d = plist_new_dict();
  plist_dict_set_item(d, "CFBundleIdentifier", plist_new_string(a.bundleId));
  plist_dict_set_item(d, "CFBundleDisplayName", plist_new_string(a.name));
  plist_dict_set_item(d, "CFBundleShortVersionString", plist_new_string(a.version));
  plist_dict_set_item(d, "ApplicationType", plist_new_string("User"));
  std::string sinf = std::string("sinf:") + a.bundleId;
  plist_dict_set_item(d, "ApplicationSINF", plist_new_data(sinf.data(), sinf.size()));
  Plist meta = newDict();
  dictSetString(meta.get(), "itemName", a.name);
  dictSetString(meta.get(), "softwareVersionBundleId", a.bundleId);
  std::string metaXml = toXml(meta.get());
  plist_dict_set_item(d, "iTunesMetadata", plist_new_data(metaXml.data(), metaXml.size()));
  return d;
}

/// Keeps only the attributes the client asked for (ReturnAttributes), as the device does.
void filterAttributes(plist_t entry, plist_t wanted) {
  if (!wanted || plist_get_node_type(wanted) != PLIST_ARRAY) return;
  std::set<std::string> keep;
  for (uint32_t i = 0; i < plist_array_get_size(wanted); ++i)
    keep.insert(describeValue(plist_array_get_item(wanted, i)));
  std::vector<std::string> drop;
  plist_dict_iter it = nullptr;
  plist_dict_new_iter(entry, &it);
  for (;;) {
    char* key = nullptr;
    plist_t val = nullptr;
    plist_dict_next_item(entry, it, &key, &val);
    if (!key) break;
    if (!keep.count(key)) drop.emplace_back(key);
    free(key);
  }
  free(it);
  for (const auto& k : drop) plist_dict_remove_item(entry, k.c_str());
}

}  // namespace

Task<void> serveInstallationProxy(Simulator& sim, SimDevice& device, FrameStream& stream) {
  const std::string service = "com.apple.mobile.installation_proxy";
  for (;;) {
    auto frame = co_await stream.readFrame();
    if (!frame) break;
    auto [msg, command] = takeMessage(sim, device, *frame, service, "Command", "");
    if (!msg) break;
    if (command != "Browse") {
      Plist err = newDict();
      dictSetString(err.get(), "Error", "UnknownCommand");
      dictSetString(err.get(), "ErrorDescription", "Not supported by ibackupmon-sim");
      dictSetString(err.get(), "Status", "Complete");
      bool sent = co_await stream.writePlist(err.get());
      if (!sent) break;
      continue;
    }
    plist_t opts = plist_dict_get_item(msg.get(), "ClientOptions");
    std::string type = dictString(opts, "ApplicationType").value_or("Any");
    Plist list(plist_new_array());
    if (type == "User" || type == "Any") {
      for (const App& a : kApps) {
        plist_t e = appEntry(a);
        filterAttributes(e, plist_dict_get_item(opts, "ReturnAttributes"));
        plist_array_append_item(list.get(), e);
      }
    }
    Plist batch = newDict();
    uint32_t n = plist_array_get_size(list.get());
    dictSet(batch.get(), "CurrentAmount", plist_new_uint(n));
    dictSet(batch.get(), "CurrentIndex", plist_new_uint(0));
    dictSet(batch.get(), "Total", plist_new_uint(n));
    dictSetString(batch.get(), "Status", "BrowsingApplications");
    dictSet(batch.get(), "CurrentList", list.release());
    bool sentBatch = co_await stream.writePlist(batch.get());
    if (!sentBatch) break;
    Plist done = newDict();
    dictSetString(done.get(), "Status", "Complete");
    bool sentDone = co_await stream.writePlist(done.get());
    if (!sentDone) break;
  }
}

Task<void> serveSpringBoardServices(Simulator& sim, SimDevice& device, FrameStream& stream) {
  const std::string service = "com.apple.springboardservices";
  for (;;) {
    auto frame = co_await stream.readFrame();
    if (!frame) break;
    auto [msg, command] = takeMessage(sim, device, *frame, service, "command", "bundleId");
    if (!msg) break;
    Plist reply = newDict();
    if (command == "getIconPNGData") {
      std::string id = dictString(msg.get(), "bundleId").value_or("");
      bool known = false;
      for (const App& a : kApps) known = known || id == a.bundleId;
      if (known)
        dictSet(reply.get(), "pngData",
                plist_new_data(reinterpret_cast<const char*>(kPng), sizeof kPng));
    } else if (command == "getIconState") {
      Plist page(plist_new_array());
      for (const App& a : kApps) {
        plist_t icon = plist_new_dict();
        plist_dict_set_item(icon, "bundleIdentifier", plist_new_string(a.bundleId));
        plist_dict_set_item(icon, "displayName", plist_new_string(a.name));
        plist_array_append_item(page.get(), icon);
      }
      Plist state(plist_new_array());
      plist_array_append_item(state.get(), plist_new_array());  // the dock
      plist_array_append_item(state.get(), page.release());
      bool sentState = co_await stream.writePlist(state.get(), true);
      if (!sentState) break;
      continue;
    } else if (command == "getInterfaceOrientation") {
      dictSet(reply.get(), "interfaceOrientation", plist_new_uint(1));
    }
    bool sent = co_await stream.writePlist(reply.get(), true);
    if (!sent) break;
  }
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
// com.apple.mobile.notification_proxy: ObserveNotification registers a name, PostNotification
// relays it (RelayNotification) to every connection of the device that observes it, Shutdown
// answers ProxyDeath.
#include "service.h"
#include "service_state.h"

namespace sim {
namespace {

const std::string kNotificationProxyService = "com.apple.mobile.notification_proxy";

Task<void> sendRelay(std::shared_ptr<ServiceConnection> conn, std::string frame) {
  co_await conn->stream.writeFrame(frame);
}

}  // namespace

Task<void> serveNotificationProxy(Simulator& sim, SimDevice& device,
                                  std::shared_ptr<ServiceConnection> conn) {
  auto observer = std::make_shared<NotificationObserver>();
  std::weak_ptr<ServiceConnection> weak = conn;
  asio::io_context& io = sim.io();
  observer->relay = [weak, &io](const std::string& name) {
    auto c = weak.lock();
    if (!c) return;
    Plist msg = newDict();
    dictSetString(msg.get(), "Command", "RelayNotification");
    dictSetString(msg.get(), "Name", name);
    asio::co_spawn(io, sendRelay(c, toXml(msg.get())), asio::detached);
  };
  bool registered = false;
  for (;;) {
    auto frame = co_await conn->stream.readFrame();
    if (!frame) break;
    auto [msg, command] =
        takeMessage(sim, device, *frame, kNotificationProxyService, "Command", "Name");
    if (command == "Shutdown") {
      Plist reply = newDict();
      dictSetString(reply.get(), "Command", "ProxyDeath");
      co_await conn->stream.writePlist(reply.get());
      break;
    }
    if (!msg) break;
    std::string name = dictString(msg.get(), "Name").value_or("");
    if (command == "ObserveNotification" && !name.empty() && observer->names.size() < 1000) {
      observer->names.insert(name);
      if (!registered) serviceState(device).observers.push_back(observer);
      registered = true;
    } else if (command == "PostNotification" && !name.empty()) {
      serviceState(device).post(name);
    }
  }
}

}  // namespace sim

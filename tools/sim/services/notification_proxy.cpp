// SPDX-License-Identifier: Apache-2.0
// com.apple.mobile.notification_proxy: observe/post are one-way; Shutdown answers ProxyDeath.
#include "service.h"

namespace sim {

Task<void> serveNotificationProxy(Simulator& sim, SimDevice& device, FrameStream& stream) {
  const std::string service = "com.apple.mobile.notification_proxy";
  for (;;) {
    auto frame = co_await stream.readFrame();
    if (!frame) break;
    auto [msg, command] = takeMessage(sim, device, *frame, service, "Command", "Name");
    if (command == "Shutdown") {
      Plist reply = newDict();
      dictSetString(reply.get(), "Command", "ProxyDeath");
      co_await stream.writePlist(reply.get());
      break;
    }
    if (!msg) break;
  }
}

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Device services reached through StartService + usbmuxd Connect. Each runs its own protocol
/// over a FrameStream until the client leaves.

#include "../frame_stream.h"
#include "../simulator.h"

namespace sim {

/// One message to a plist service, and its name: the value of the key that names the request.
struct ServiceMessage {
  Plist plist;
  std::string name;  ///< "" when the message is malformed or names nothing
};

/// Parses `frame` and records it as a service event: the message's `nameKey` value (e.g.
/// "Request") and, as the event's key, its `detailKey` value.
ServiceMessage takeMessage(Simulator& sim, const SimDevice& device, const std::string& frame,
                           const std::string& service, const char* nameKey, const char* detailKey);

/// A service connection, closable by detach and usbmuxd restarts.
struct ServiceConnection : Closable {
  explicit ServiceConnection(Socket s) : stream(std::move(s)) {}
  void close() override { stream.close(); }
  FrameStream stream;
};

Task<void> serveDiagnosticsRelay(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveMobileBackup2(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveNotificationProxy(Simulator& sim, SimDevice& device,
                                  std::shared_ptr<ServiceConnection> conn);
/// Runs a mobilebackup2 `Backup` request (services/backup_session.cpp) up to its final
/// DLMessageProcessMessage.
Task<void> runBackup(Simulator& sim, SimDevice& device, FrameStream& stream, plist_t request);
Task<void> serveAfc(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveInstallationProxy(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveSpringBoardServices(Simulator& sim, SimDevice& device, FrameStream& stream);

}  // namespace sim

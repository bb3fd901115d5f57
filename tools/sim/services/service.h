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

Task<void> serveDiagnosticsRelay(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveMobileBackup2(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveNotificationProxy(Simulator& sim, SimDevice& device, FrameStream& stream);

}  // namespace sim

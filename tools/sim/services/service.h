// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Device services reached through StartService + usbmuxd Connect. Each runs its own protocol
/// over a FrameStream until the client leaves.

#include "../frame_stream.h"
#include "../simulator.h"

namespace sim {

Task<void> serveDiagnosticsRelay(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveMobileBackup2(Simulator& sim, SimDevice& device, FrameStream& stream);
Task<void> serveNotificationProxy(Simulator& sim, SimDevice& device, FrameStream& stream);

}  // namespace sim

// SPDX-License-Identifier: Apache-2.0
#include "device_connection.h"

#include "lockdown_session.h"
#include "services/service.h"

namespace sim {

Task<void> serveDeviceConnection(Simulator& sim, Socket& socket, const ConnectTarget& target) {
  SimDevice* device = sim.byUdid(target.udid);
  if (!device) co_return;
  if (target.service == "lockdownd") {
    auto session = std::make_shared<LockdownSession>(sim, *device, std::move(socket));
    sim.track(target.udid, session);
    co_await session->run();
    co_return;
  }
  auto conn = std::make_shared<ServiceConnection>(std::move(socket));
  sim.track(target.udid, conn);
  if (target.service == "com.apple.mobile.diagnostics_relay") {
    co_await serveDiagnosticsRelay(sim, *device, conn->stream);
  } else if (target.service == "com.apple.mobilebackup2") {
    co_await serveMobileBackup2(sim, *device, conn->stream);
  } else if (target.service == "com.apple.mobile.notification_proxy") {
    co_await serveNotificationProxy(sim, *device, conn);
  } else if (target.service == "com.apple.afc") {
    co_await serveAfc(sim, *device, conn->stream);
  } else if (target.service == "com.apple.mobile.installation_proxy") {
    co_await serveInstallationProxy(sim, *device, conn->stream);
  } else if (target.service == "com.apple.springboardservices") {
    co_await serveSpringBoardServices(sim, *device, conn->stream);
  }
  conn->stream.close();
}

}  // namespace sim

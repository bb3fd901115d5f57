// SPDX-License-Identifier: Apache-2.0
#pragma once
/// lockdownd of one simulated device on one connection: the request/reply loop, the TLS
/// upgrade after StartSession and the faults that shape it.

#include <memory>
#include <string>

#include "frame_stream.h"
#include "lockdown_packet.h"
#include "simulator.h"

namespace sim {

class LockdownSession : public Closable {
 public:
  LockdownSession(Simulator& sim, SimDevice& device, Socket socket)
      : sim_(sim), device_(device), stream_(std::move(socket)) {}
  Task<void> run();
  void close() override { stream_.close(); }

 private:
  /// What to do after the reply is sent.
  enum class After { kNothing, kStartTls, kClose };
  Plist handle(const LockdownRequest& req, After& after, std::string& result);
  Plist getValue(const LockdownRequest& req, std::string& result);
  Plist setValue(const LockdownRequest& req, std::string& result);
  Plist pair(const LockdownRequest& req, std::string& result);
  Plist startSession(const LockdownRequest& req, After& after, std::string& result);
  Plist startService(const LockdownRequest& req, std::string& result);
  Task<void> hang();
  void log(const LockdownRequest& req, const std::string& result);

  Simulator& sim_;
  SimDevice& device_;
  FrameStream stream_;
  std::string sessionId_;
  int requests_ = 0;
};

/// A reply carrying Request and Error only (a Result key would turn it into -256 at the client).
Plist lockdownError(const std::string& request, const std::string& error);

}  // namespace sim
